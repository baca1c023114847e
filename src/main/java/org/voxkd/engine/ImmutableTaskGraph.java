package org.voxkd.engine;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A frozen {@link TaskGraph}: what an {@link ExecutionPlan} runs. */
public record ImmutableTaskGraph(String name, List<Transfer> inbound, List<Task> tasks, List<Transfer> outbound) {
    /** Every buffer the graph touches, in first-use order. */
    public Set<Buffer> buffers() {
        Set<Buffer> out = new LinkedHashSet<>();
        for (Transfer t : inbound) out.add(t.view().buffer());
        for (Task t : tasks)
            for (Object a : t.args()) if (a instanceof View v) out.add(v.buffer());
        for (Transfer t : outbound) out.add(t.view().buffer());
        return out;
    }
}
