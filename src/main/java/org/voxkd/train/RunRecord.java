package org.voxkd.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import org.voxkd.engine.Backend;
import org.voxkd.eval.Verification;
import org.voxkd.ledger.Environment;
import org.voxkd.ledger.Version;

/** What a run writes about itself: the provenance in each checkpoint header, and the final record ({@code done.json}). */
final class RunRecord {
    private RunRecord() {}

    /** A checkpoint's provenance: data hash, epoch, step, voxkd's version, and the validation it was selected by (if any). */
    static ObjectNode provenance(String dataHash, int epoch, ResumeState st, Verification.Result r) {
        ObjectNode p = ModelFiles.JSON.createObjectNode();
        p.put("data_hash", dataHash);
        p.put("epoch", epoch);
        p.put("step", st.step);
        p.put("voxkd", Version.version());
        if (r != null) {
            p.put("eer", r.metrics().eer());
            p.put("eer_threshold", r.metrics().threshold());
            p.put("min_dcf_005", r.metrics().minDcf05());
            p.put("targets", r.targets());
            p.put("non_targets", r.nonTargets());
        }
        return p;
    }

    /** The record of a finished run; {@code test} is null without a test list, {@code seconds} the run's wall time. */
    static ObjectNode done(TrainConfig cfg, ObjectNode config, String dataHash, Backend backend, long parameters, ResumeState st, boolean validated,
                           ObjectNode test, double seconds, double cpuSeconds) {
        ObjectNode record = ModelFiles.JSON.createObjectNode();
        record.put("experiment", cfg.experiment());
        record.set("config", config);
        record.put("data_hash", dataHash);
        record.put("backend", backend.name());
        record.put("device", backend.device().name());
        record.set("environment", Environment.capture(backend.device()));
        record.put("parameters", parameters);
        record.put("epochs", st.epoch);
        record.put("best_epoch", st.bestEpoch);
        if (st.bestEer < Double.POSITIVE_INFINITY) record.put("best_eer", st.bestEer);
        record.put("selection", !validated ? "none (no validation list: the last epoch)"
                : cfg.data().sameList() ? "same list as the test (only one trial list given)" : "validation list");
        if (test != null) record.set("test", test);
        record.set("history", EpochRow.json(st.rows));
        record.put("seconds", seconds);
        // CPU time of the whole process over the run: on a shared machine it measures the work where wall time cannot.
        if (cpuSeconds >= 0) record.put("cpu_seconds", cpuSeconds);
        return record;
    }

    /** CPU time of this process in ns, or −1 where the JVM cannot tell. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
