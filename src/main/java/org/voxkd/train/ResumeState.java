package org.voxkd.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.voxkd.engine.ParameterSet;
import org.voxkd.io.Checkpoint;
import org.voxkd.io.ConfigDoc;
import org.voxkd.nn.NamedTensors;

/**
 * What a resumable run carries between epochs — epoch, step, the best validation so far, the epoch rows — and
 * {@code last.ckpt}, the file that holds it with the model, classifier, adapters and Adam moments: written after
 * every epoch, restored strictly (the same configuration but for optim.epochs, the same data, every tensor).
 */
final class ResumeState {
    int epoch, bestEpoch, sinceBest;
    long step;
    double bestEer = Double.POSITIVE_INFINITY, bestThreshold = Double.NaN;
    final List<EpochRow> rows = new ArrayList<>();

    static ResumeState fresh(StepProgram prog, long seed) {
        ParameterSet ps = prog.model.parameters();
        float[][] w = {ps.initialValues(seed, true), ps.initialValues(seed, false)};
        prog.load(w, prog.classifier.initialValues(seed + 1, true), null, seed);
        return new ResumeState();
    }

    static ResumeState restore(Checkpoint.Contents c, Path file, StepProgram prog, String dataHash, PrintStream log) throws IOException {
        JsonNode meta = c.meta(), prov = meta.path("provenance"), s = meta.path("state");
        if (!s.isObject()) throw new IOException(file + ": not a resumable checkpoint (its header has no training state; best.ckpt holds a model only)");
        if (!prov.path("data_hash").isTextual()) throw new IOException(file + ": the checkpoint header has no data hash");
        if (!dataHash.equals(prov.get("data_hash").asText()))
            throw new IOException("cannot resume from " + file + ": the data changed since the checkpoint (data hash " + prov.get("data_hash").asText()
                    + ", now " + dataHash + ")");
        Map<String, NamedTensors.Tensor> model = new LinkedHashMap<>(), cls = new LinkedHashMap<>(), ad = new LinkedHashMap<>();
        Map<String, float[]> mom = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith(CLASSIFIER)) cls.put(k.substring(CLASSIFIER.length()), v);
            else if (k.startsWith(ADAPTERS)) ad.put(k.substring(ADAPTERS.length()), v);
            else if (k.startsWith(ADAM)) mom.put(k.substring(ADAM.length()), v.data());
            else model.put(k, v);
        });
        ParameterSet ps = prog.model.parameters();
        float[][] w;
        float[] cw, aw;
        try {
            w = NamedTensors.pack(ps, model, "checkpoint " + file);
            cw = NamedTensors.pack(prog.classifier, cls, "checkpoint " + file + " (classifier)")[0];
            if (prog.adapters == null && !ad.isEmpty())
                throw new IllegalArgumentException(file + ": the checkpoint holds adapters " + ad.keySet() + ", but this configuration learns none");
            aw = prog.adapters == null ? null : NamedTensors.pack(prog.adapters, ad, "checkpoint " + file + " (adapters)")[0];
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        ResumeState st = new ResumeState();
        st.epoch = (int) count(s, "epoch", file, Integer.MAX_VALUE);
        st.step = count(s, "step", file, Long.MAX_VALUE);
        st.bestEpoch = (int) count(s, "best_epoch", file, st.epoch);
        st.sinceBest = (int) count(s, "since_best", file, Integer.MAX_VALUE);
        long adamSteps = count(s, "adam_steps", file, Long.MAX_VALUE);
        st.bestEer = s.has("best_eer") ? fraction(s, "best_eer", file) : Double.POSITIVE_INFINITY;
        if (s.has("best_threshold")) {
            if (!s.get("best_threshold").isNumber() || !Double.isFinite(s.get("best_threshold").asDouble()))
                throw new IOException(file + ": state.best_threshold is not a finite number");
            st.bestThreshold = s.get("best_threshold").asDouble();
        }
        if (!s.path("history").isArray() || s.get("history").size() != st.epoch)
            throw new IOException(file + ": state.history must list one row per trained epoch (" + st.epoch + ")");
        for (JsonNode r : s.get("history")) {
            if (!r.isObject()) throw new IOException(file + ": state.history holds a row that is not a mapping");
            st.rows.add(EpochRow.fromJson(r));
        }
        List<EpochRow> timed = EpochRow.withTimes(st.rows, file.resolveSibling("epochs.csv"));
        st.rows.clear();
        st.rows.addAll(timed);
        prog.load(w, cw, aw, 0);
        try {
            prog.loadMoments(mom);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage() + " (no or other optimiser state): it cannot be resumed", e);
        }
        prog.adam.restore(adamSteps);
        log.printf("resuming after epoch %d (step %d, best EER %s)%n", st.epoch, st.step,
                Double.isFinite(st.bestEer) ? String.format("%.2f%%", 100 * st.bestEer) : "none yet");
        return st;
    }

    private static long count(JsonNode s, String key, Path file, long max) throws IOException {
        JsonNode v = s.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() > max)
            throw new IOException(file + ": state." + key + " must be an integer in [0, " + max + "], got " + v);
        return v.asLong();
    }

    private static double fraction(JsonNode s, String key, Path file) throws IOException {
        JsonNode v = s.get(key);
        if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) throw new IOException(file + ": state." + key + " must be a rate in [0, 1], got " + v);
        return v.asDouble();
    }

    void save(Path path, ObjectNode config, StepProgram prog, List<String> classes, ObjectNode provenance) throws IOException {
        ObjectNode meta = ModelFiles.meta(config, prog.model, classes, provenance);
        ObjectNode s = meta.putObject("state");
        s.put("epoch", epoch);
        s.put("step", step);
        s.put("best_epoch", bestEpoch);
        s.put("since_best", sinceBest);
        // "no validation yet" is an absent best_eer (JSON has no infinity; a stand-in number would leak into records)
        if (Double.isFinite(bestEer)) s.put("best_eer", bestEer);
        if (Double.isFinite(bestThreshold)) s.put("best_threshold", bestThreshold);
        s.put("adam_steps", prog.adam.steps());
        s.set("history", EpochRow.jsonWithoutTimes(rows));
        Map<String, NamedTensors.Tensor> t = new LinkedHashMap<>(ModelFiles.tensors(prog.model, prog.modelWeights()));
        t.putAll(heads(prog));
        prog.moments().forEach((k, v) -> t.put(ADAM + k, new NamedTensors.Tensor(new int[] {v.length}, v)));
        Checkpoint.save(path, meta, t);
    }

    static final String CLASSIFIER = "classifier.", ADAPTERS = "adapters.", ADAM = "adam.";

    /** The classifier head and the adapters as checkpoint tensors ({@code classifier.weight}, {@code adapters.NAME}). */
    static Map<String, NamedTensors.Tensor> heads(StepProgram prog) {
        Map<String, NamedTensors.Tensor> t = new LinkedHashMap<>();
        t.put(CLASSIFIER + "weight", new NamedTensors.Tensor(prog.classifier.entry("weight").shape(), prog.classifierWeights()));
        if (prog.adapters != null)
            NamedTensors.unpack(prog.adapters, prog.adapterWeights(), new float[prog.adapters.stateCount()]).forEach((k, v) -> t.put(ADAPTERS + k, v));
        return t;
    }

    /**
     * The checkpoint to resume from, refused unless the run's configuration is the one it was trained with (only
     * {@code optim.epochs} may change): epochs trained under two configurations must never be recorded as one run.
     */
    static Checkpoint.Contents checked(Path last, TrainConfig cfg, Path dir, Path root) throws IOException {
        Checkpoint.Contents c = Checkpoint.load(last);
        JsonNode saved = c.meta().get("config");
        if (!(saved instanceof ObjectNode)) throw new IOException(last + ": the checkpoint header holds no configuration; cannot check what it was trained with");
        ObjectNode was;
        try {
            was = TrainConfig.fromTree(saved, root.resolve("config.json")).toTree(); // recorded paths are relative to the root
        } catch (IOException e) {
            throw new IOException(last + ": the configuration in the checkpoint is not one this voxkd reads (" + e.getMessage() + ")", e);
        }
        List<String> diffs = new ArrayList<>();
        differences("", was, cfg.toTree(), diffs);
        if (!diffs.isEmpty())
            throw new IOException("cannot resume " + dir + ": the configuration differs from the one it was trained with in " + String.join(", ", diffs)
                    + "; only optim.epochs may change when resuming — train the new configuration into another directory");
        return c;
    }

    /** The keys where two resolved configurations differ, as "key (before → now)", optim.epochs excepted. */
    static void differences(String ptr, JsonNode a, JsonNode b, List<String> out) {
        if (ptr.equals("/optim/epochs")) return;
        if (a != null && b != null && a.isObject() && b.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) differences(ConfigDoc.child(ptr, k), a.get(k), b.get(k), out);
        } else if (!Objects.equals(a, b)) {
            out.add(ConfigDoc.dotted(ptr) + " (" + a + " → " + b + ")");
        }
    }
}
