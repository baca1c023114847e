package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.voxkd.io.Checkpoint;
import org.voxkd.ledger.Environment;
import org.voxkd.ledger.Ledger;
import org.voxkd.nn.NamedTensors;
import org.voxkd.train.RunInputs;
import org.voxkd.train.TrainConfig;

/**
 * `voxkd ledger verify ID`: re-runs a recorded configuration in a scratch directory and judges the re-run.
 * <ul>
 * <li><b>reproduced bit for bit</b>: every recorded metric (wall-clock columns excepted) and, where the original
 *     checkpoint is on disk, every trained weight are identical;</li>
 * <li><b>reproduced within tolerance</b>: the bits differ, the environment that decides them differs (the fields
 *     are named: CPU, flags, JDK, vector width, OpenBLAS core, threads, device, numerics mode), and every figure lies
 *     within its stated tolerance — validation and test EER/minDCF inside the recorded 95% interval, losses,
 *     accuracy and shares within {@value #RELATIVE} relative;</li>
 * <li><b>not reproduced</b>: a figure is outside its tolerance, the data changed, or — a bug — the bits differ
 *     although the environment is the same.</li>
 * </ul>
 */
public final class Verifier {
    /** Columns that measure the machine, not the computation. */
    static final List<String> TIMING = List.of("samples_per_s", "seconds");
    /** Figures judged by the recorded interval of the same epoch (name → its interval columns). */
    static final Map<String, String[]> INTERVALS = Map.of("eer", new String[] {"eer_ci_low", "eer_ci_high"},
            "min_dcf_005", new String[] {"min_dcf_005_ci_low", "min_dcf_005_ci_high"}, "min_dcf_001", new String[] {"min_dcf_001_ci_low", "min_dcf_001_ci_high"});
    /** Consequences of the figures above (which epoch won, rates at the chosen threshold): shown, not judged. */
    static final List<String> INFORMATIONAL = List.of("epoch", "validation_threshold", "frr_at_validation_threshold", "far_at_validation_threshold");
    /** Relative tolerance of every other training figure (losses, accuracy, shares). */
    static final double RELATIVE = 0.05;

    private Verifier() {}

    public enum Verdict {
        BIT_FOR_BIT(0, "reproduced bit for bit"), WITHIN_TOLERANCE(3, "reproduced within tolerance"), NOT_REPRODUCED(4, "NOT reproduced");

        public final int exitCode;
        public final String label;

        Verdict(int exitCode, String label) {
            this.exitCode = exitCode;
            this.label = label;
        }
    }

    /** The verdict, the environment fields that differ, and one line per figure compared. */
    public record Outcome(Verdict verdict, List<String> environment, List<String> bitDifferences, List<String> outOfTolerance, List<String> table) {}

    public static Outcome verify(ObjectNode record, Path root, Path results, Path scratch, PrintStream log) throws IOException {
        TrainConfig cfg = TrainConfig.fromTree(record.get("config"), root.resolve("ledger-verify.yaml"));
        String dataHash = RunInputs.dataHash(cfg);
        if (!dataHash.equals(record.get("data_hash").asText()))
            return new Outcome(Verdict.NOT_REPRODUCED, List.of(), List.of(), List.of("data hash: recorded " + record.get("data_hash").asText()
                    + ", now " + dataHash + " (the data changed: regenerate or restore it first)"), List.of());
        Path dir = scratch.resolve("verify-" + record.get("id").asText());
        ObjectNode again = RunJob.train(cfg, dir, root, log);
        Path original = results.resolve(record.get("dir").asText()).resolve("best.ckpt");
        if (!Files.exists(original)) log.println("  (the original checkpoint is not on disk: weights not compared, metrics only)");
        Outcome o = judge(record, again, Files.exists(original) ? original : null, dir.resolve("best.ckpt"));
        Path done = results.resolve(record.get("dir").asText()).resolve("done.json");
        if (o.verdict() == Verdict.NOT_REPRODUCED && o.environment().isEmpty() && !o.bitDifferences().isEmpty() && Files.exists(done)) {
            // the run folder's own done.json is what training wrote; a record that disagrees with it was changed afterwards
            ObjectNode written = (ObjectNode) Ledger.JSON.readTree(done.toFile());
            List<String> edited = new ArrayList<>(), ignore = new ArrayList<>();
            compareHistory(record.path("history"), written.path("history"), edited, ignore, new ArrayList<>());
            if (!edited.isEmpty()) {
                List<String> out = new ArrayList<>(o.outOfTolerance());
                out.removeIf(s -> s.contains("this is a bug"));
                out.add(0, "the ledger record disagrees with its run folder's done.json (" + edited.get(0) + (edited.size() > 1 ? ", and " + (edited.size() - 1)
                        + " more" : "") + "): the record was edited or damaged after it was written — not non-determinism; restore it from " + done);
                return new Outcome(o.verdict(), o.environment(), o.bitDifferences(), out, o.table());
            }
        }
        return o;
    }

    /** The verdict on a re-run's done.json against the record (and the two checkpoints, when the original is given). */
    public static Outcome judge(ObjectNode record, ObjectNode again, Path originalCheckpoint, Path rerunCheckpoint) throws IOException {
        List<String> bits = new ArrayList<>(), out = new ArrayList<>(), table = new ArrayList<>();
        compareHistory(record.get("history"), again.get("history"), bits, out, table);
        JsonNode recTest = record.path("test"), newTest = again.path("test");
        for (String which : new String[] {"best", "last"})
            if (recTest.has(which)) compareFigures("test " + which, recTest.get(which), newTest.path(which), bits, out, table, true);
        if (originalCheckpoint != null) {
            Map<String, NamedTensors.Tensor> p = Checkpoint.load(originalCheckpoint).tensors(), q = Checkpoint.load(rerunCheckpoint).tensors();
            for (String k : p.keySet())
                if (!q.containsKey(k) || !java.util.Arrays.equals(p.get(k).data(), q.get(k).data())) bits.add("best.ckpt tensor " + k + " differs");
        }
        List<String> env = Environment.differences(record.get("environment"), again.get("environment"));
        boolean portable = "portable".equals(record.path("config").path("numerics").asText()) && "portable".equals(again.path("environment").path("numerics").asText());
        Verdict v;
        if (bits.isEmpty()) v = Verdict.BIT_FOR_BIT;
        else if (env.isEmpty() && originalCheckpoint != null && bits.stream().noneMatch(b -> b.startsWith("best.ckpt tensor"))) {
            // the weights came out bit-identical to the recorded checkpoint's: the figures were changed, not recomputed differently
            out.add(0, "the re-run's weights are bit-identical to the recorded checkpoint's, yet recorded figures differ: the ledger record was "
                    + "edited or damaged after it was written (not non-determinism)");
            v = Verdict.NOT_REPRODUCED;
        } else if (env.isEmpty()) {
            out.add(0, "the bits differ although the environment is the same: this is a bug (non-determinism), please report it");
            v = Verdict.NOT_REPRODUCED;
        } else if (portable) {
            // portable numerics are specified bit for bit by Java itself: no machine difference may move them
            out.add(0, "the run is in portable numerics, which give the same bits on any machine, yet the bits differ: this is a bug, please report it "
                    + "(with both environments)");
            v = Verdict.NOT_REPRODUCED;
        } else v = out.isEmpty() ? Verdict.WITHIN_TOLERANCE : Verdict.NOT_REPRODUCED;
        return new Outcome(v, env, bits, out, table);
    }

    private static void compareHistory(JsonNode recorded, JsonNode rerun, List<String> bits, List<String> out, List<String> table) {
        int n = Math.min(recorded.size(), rerun.size());
        if (recorded.size() != rerun.size()) {
            String msg = "epoch count differs: recorded " + recorded.size() + ", re-run " + rerun.size() + " (early stopping took another path)";
            bits.add(msg);
            table.add(msg);
        }
        for (int i = 0; i < n; i++) compareFigures("epoch " + (i + 1), recorded.get(i), rerun.get(i), bits, out, table, i == n - 1);
    }

    /** Compares every recorded figure of one row; prints a table line for each when {@code show}. */
    private static void compareFigures(String where, JsonNode rec, JsonNode now, List<String> bits, List<String> out, List<String> table, boolean show) {
        for (Iterator<Map.Entry<String, JsonNode>> it = rec.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            if (TIMING.contains(k) || k.endsWith("_ci_low") || k.endsWith("_ci_high") || !e.getValue().isNumber()) continue;
            double a = e.getValue().asDouble();
            JsonNode bn = now.get(k);
            if (bn == null) {
                bits.add(where + " " + k + ": missing in the re-run");
                out.add(where + " " + k + ": missing in the re-run");
                continue;
            }
            double b = bn.asDouble();
            if (Double.doubleToLongBits(a) == Double.doubleToLongBits(b)) {
                if (show) table.add(String.format(Locale.ROOT, "%-22s %-22s %14.8g %14.8g %12s  identical", where, k, a, b, ""));
                continue;
            }
            bits.add(where + " " + k + ": recorded " + a + ", re-run " + b);
            String tolerance;
            boolean ok;
            String[] ci = INTERVALS.get(k);
            if (ci != null && rec.has(ci[0]) && rec.has(ci[1])) {
                double lo = rec.get(ci[0]).asDouble(), hi = rec.get(ci[1]).asDouble();
                ok = b >= lo && b <= hi;
                tolerance = String.format(Locale.ROOT, "in [%.4g, %.4g]", lo, hi);
            } else if (INFORMATIONAL.contains(k)) {
                ok = true;
                tolerance = "(informational)";
            } else if (k.endsWith("_trials") || k.equals("lr")) {
                ok = false; // schedules and counts do not depend on the machine
                tolerance = "exact";
            } else {
                ok = Math.abs(a - b) <= RELATIVE * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;
                tolerance = String.format(Locale.ROOT, "±%.0f%% rel", 100 * RELATIVE);
            }
            String line = String.format(Locale.ROOT, "%-22s %-22s %14.8g %14.8g %12.4g  %s %s", where, k, a, b, b - a, ok ? "within" : "OUTSIDE", tolerance);
            if (show || !ok) table.add(line);
            if (!ok) out.add(where + " " + k + ": recorded " + a + ", re-run " + b + ", tolerance " + tolerance);
        }
    }
}
