package org.voxkd.engine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs frozen task graphs on one backend. Each buffer named by any of the graphs is allocated once
 * and stays on the device between executions and between graphs, so a model's parameters, optimiser
 * state and activations never leave it unless a graph or the caller asks.
 *
 * <pre>
 *   host batch --(EVERY_EXECUTION)--> device: [tasks of graph i] --(EVERY_EXECUTION)--> host metrics
 *   checkpoint &lt;--(read, on demand)-- device parameters
 * </pre>
 */
public final class ExecutionPlan implements AutoCloseable {
    private final Backend backend;
    private final List<ImmutableTaskGraph> graphs;
    private final Map<Buffer, Backend.Memory> memory = new IdentityHashMap<>();
    private final List<List<Backend.Bound>> bound = new ArrayList<>();
    private final boolean[] executedOnce;
    private final Map<String, long[]> profile = new LinkedHashMap<>();
    private boolean profiling;
    private boolean closed;

    public ExecutionPlan(Backend backend, ImmutableTaskGraph... graphs) {
        if (graphs.length == 0) throw new IllegalArgumentException("an execution plan needs at least one task graph");
        this.backend = backend;
        this.graphs = List.of(graphs);
        this.executedOnce = new boolean[graphs.length];
        try {
            for (ImmutableTaskGraph g : graphs)
                for (Buffer b : g.buffers()) memory.computeIfAbsent(b, backend::allocate);
            for (ImmutableTaskGraph g : graphs) {
                List<Backend.Bound> list = new ArrayList<>(g.tasks().size());
                for (Task t : g.tasks()) list.add(backend.bind(t, this::memoryOf));
                bound.add(list);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public Backend backend() { return backend; }

    /** Turns per-task timing on (each launch then waits for its completion) or off. */
    public ExecutionPlan withProfiler(boolean on) {
        profiling = on;
        return this;
    }

    /** Runs every graph in order. */
    public void execute() {
        for (int i = 0; i < graphs.size(); i++) execute(i);
    }

    /** Runs {@code graph}, one of this plan's graphs (the same object): callers name their graphs rather than count them. */
    public void execute(ImmutableTaskGraph graph) {
        for (int i = 0; i < graphs.size(); i++)
            if (graphs.get(i) == graph) {
                execute(i);
                return;
            }
        throw new IllegalArgumentException("graph " + graph.name() + " is not part of this execution plan");
    }

    /** Runs graph {@code index}: inbound transfers, tasks, outbound transfers; returns when done. */
    public void execute(int index) {
        ensureOpen();
        ImmutableTaskGraph g = graphs.get(index);
        for (Transfer t : g.inbound()) {
            if (t.mode() == DataTransferMode.EVERY_EXECUTION || (t.mode() == DataTransferMode.FIRST_EXECUTION && !executedOnce[index]))
                write(t.view(), t.host());
        }
        List<Backend.Bound> tasks = bound.get(index);
        for (int i = 0; i < tasks.size(); i++) {
            long ns = tasks.get(i).launch(profiling);
            if (profiling) {
                long[] acc = profile.computeIfAbsent(g.tasks().get(i).name(), k -> new long[2]);
                acc[0] += ns;
                acc[1]++;
            }
        }
        for (Transfer t : g.outbound()) if (t.mode() == DataTransferMode.EVERY_EXECUTION) read(t.view(), t.host());
        backend.finish();
        executedOnce[index] = true;
    }

    /** Copies host data into a view (on demand: initial weights, a restored checkpoint). */
    public void write(View view, float[] host) {
        write(view, host, 0);
    }

    public void write(View view, float[] host, int hostOffset) {
        ensureOpen();
        backend.write(memoryOf(view.buffer()), view.offset(), host, hostOffset, view.length());
    }

    /** Copies a view to the host (on demand: checkpoints, inspection). */
    public float[] read(View view) {
        float[] out = new float[view.length()];
        read(view, out);
        return out;
    }

    public void read(View view, float[] host) {
        ensureOpen();
        backend.finish();
        backend.read(memoryOf(view.buffer()), view.offset(), host, 0, view.length());
    }

    /** Accumulated time per task name: {total ns, launches}. */
    public Map<String, long[]> profile() { return profile; }

    /**
     * The {@code top} entries of the profile by total time, one line each ("name  ms total  share  launches"). With
     * {@code byKernel}, tasks that differ only in their layer index ("block3.", "layers.1.") are summed into one
     * line ("block*."), which is the view that says which kernel to speed up.
     */
    public List<String> profileTable(int top, boolean byKernel) { return profileTable(profile, top, byKernel); }

    /** {@link #profileTable(int, boolean)} of any profile map (several plans' profiles merged, for instance). */
    public static List<String> profileTable(Map<String, long[]> profile, int top, boolean byKernel) { return profileTable(profile, top, byKernel, 1); }

    /** {@link #profileTable(Map, int, boolean)} per step: times and launch counts divided by {@code steps} profiled steps. */
    public static List<String> profileTable(Map<String, long[]> profile, int top, boolean byKernel, int steps) {
        Map<String, long[]> rows = new LinkedHashMap<>();
        long total = 0;
        for (Map.Entry<String, long[]> e : profile.entrySet()) {
            String name = byKernel ? e.getKey().replaceAll("(block|layer|layers\\.)\\d+", "$1*") : e.getKey();
            long[] acc = rows.computeIfAbsent(name, k -> new long[2]);
            acc[0] += e.getValue()[0];
            acc[1] += e.getValue()[1];
            total += e.getValue()[0];
        }
        long all = Math.max(1, total);
        List<String> out = new ArrayList<>();
        rows.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(top)
                .forEach(e -> out.add(String.format(java.util.Locale.ROOT, "%-52s %9.2f ms %5.1f%% %6d launches", e.getKey(),
                        e.getValue()[0] / 1e6 / steps, 100.0 * e.getValue()[0] / all, e.getValue()[1] / steps)));
        out.add(String.format(java.util.Locale.ROOT, "%-52s %9.2f ms", "(all tasks)", total / 1e6 / steps));
        return out;
    }

    private Backend.Memory memoryOf(Buffer b) {
        Backend.Memory m = memory.get(b);
        if (m == null) throw new IllegalStateException("buffer " + b + " is not used by any graph of this plan");
        return m;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("execution plan is closed");
    }

    /** Releases the device memory of every buffer (the backend itself stays open). */
    @Override public void close() {
        if (closed) return;
        closed = true;
        for (Backend.Memory m : memory.values()) m.close();
        memory.clear();
    }
}
