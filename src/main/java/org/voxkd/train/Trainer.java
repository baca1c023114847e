package org.voxkd.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.voxkd.data.DataCheck;
import org.voxkd.data.DatasetHash;
import org.voxkd.data.Lists;
import org.voxkd.data.TrainLoader;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.ParameterSet;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Verification;
import org.voxkd.io.AtomicFiles;
import org.voxkd.io.Checkpoint;
import org.voxkd.kernels.Optim;
import org.voxkd.nn.Init;
import org.voxkd.nn.NamedTensors;
import org.voxkd.nn.SpeakerModel;

/**
 * Trains one configuration into a run directory: {@code config.json} (the resolved configuration),
 * {@code epochs.csv} (one row per epoch), {@code last.ckpt} (everything needed to resume),
 * {@code best.ckpt} (best validation EER), {@code scores.txt} (its trial scores) and {@code done.json}
 * (the final record). A finished run is never overwritten; an interrupted one resumes to the same bits.
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final Path dir;
    private final PrintStream log;
    private boolean profile;

    /** Prints the slowest tasks of the step after each epoch (launches then wait for completion: slower). */
    public Trainer profiled(boolean on) {
        profile = on;
        return this;
    }

    public Trainer(TrainConfig cfg, Path runDir, PrintStream log) {
        this.cfg = cfg;
        this.dir = runDir;
        this.log = log;
    }

    /** The summary of a finished run. */
    public record Outcome(ObjectNode record, Path best, Path last) {}

    /** A loss that stopped being finite, with where. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) { super(message); }
    }

    public Outcome run(boolean resume) throws IOException {
        return run(resume, Integer.MAX_VALUE);
    }

    /**
     * Trains, stopping after epoch {@code stopAfter} of the schedule if that comes first (the run then stays
     * resumable: a time-boxed chunk of a long run, or a simulated interruption in tests). Returns null then.
     */
    public Outcome run(boolean resume, int stopAfter) throws IOException {
        // The configuration's numerics mode for everything this run computes: backend, front-end, losses.
        Numerics was = Numerics.activate(cfg.numericsMode());
        try {
            return runActive(resume, stopAfter);
        } finally {
            Numerics.activate(was);
        }
    }

    private Outcome runActive(boolean resume, int stopAfter) throws IOException {
        if (Files.exists(dir.resolve("done.json")))
            throw new IOException(dir + " holds a finished run (done.json); refusing to overwrite it — choose another directory");
        Path lastPath = dir.resolve("last.ckpt");
        if (Files.exists(lastPath) && !resume)
            throw new IOException(dir + " holds an interrupted run (last.ckpt); pass --resume to continue it, or choose another directory");
        Files.createDirectories(dir);
        long t0 = System.nanoTime();

        Path trainRoot = Path.of(cfg.data().trainRoot()), trialRoot = cfg.data().trials() == null ? null : Path.of(cfg.data().trialRoot());
        List<Lists.Utterance> list = Lists.readTrainList(Path.of(cfg.data().trainList()));
        List<Lists.Trial> trials = cfg.data().trials() == null ? null : Lists.readTrialList(Path.of(cfg.data().trials()));
        DataCheck.checkTrainList(trainRoot, list);
        if (trials != null) DataCheck.checkTrialList(trialRoot, trials);
        String dataHash = dataHash(cfg);

        SpeakerModel model = cfg.buildModel();
        int batch = cfg.optim().batch(), frames = cfg.data().maxFrames(), d = model.embeddingSize();
        TrainLoader.Config lc = new TrainLoader.Config(batch, frames, cfg.seed(), cfg.data().perSpeaker(), cfg.data().workers(), 4, null);
        try (TrainLoader loader = new TrainLoader(trainRoot, list, lc);
             Backend backend = Backends.create(cfg.backend(), cfg.device())) {
            List<String> classes = loader.classes();
            ParameterSet classifier = ParameterSet.builder("classifier").param("weight", Init.xavierNormal(d, classes.size()), classes.size(), d).build();
            SpeakerModel teacher = null;
            float[][] teacherWeights = null;
            if (cfg.distills()) {
                Checkpoint.Contents tc = Checkpoint.load(Path.of(cfg.teacher().checkpoint()));
                teacher = ModelFiles.model(tc.meta(), cfg.teacher().checkpoint());
                teacherWeights = NamedTensors.pack(teacher.parameters(), ModelFiles.modelTensors(tc.tensors()), "teacher checkpoint " + cfg.teacher().checkpoint());
            }
            ObjectNode config = cfg.toTree();
            AtomicFiles.writeString(dir.resolve("config.json"), config.toPrettyString() + "\n");
            log.printf(Locale.ROOT, "%s: %s %,d parameters, %d classes, %d utterances, %d batches/epoch of %d×%d frames, backend %s (%s)%n",
                    cfg.experiment(), model.kind(), model.parameters().parameterCount(), classes.size(), loader.utterances().size(),
                    loader.batchesPerEpoch(), batch, frames, backend.name(), backend.device().name());
            if (teacher != null) log.printf("teacher: %s (%,d parameters), frozen, inference mode%n", cfg.teacher().checkpoint(), teacher.parameters().parameterCount());

            Verification validation = trials == null ? null
                    : new Verification(trialRoot, trials, cfg.eval().frames(), cfg.eval().crops(), cfg.data().workers());
            try (StepProgram prog = new StepProgram(backend, model, classifier, teacher, cfg, batch, frames, cfg.seed())) {
                State st = resume && Files.exists(lastPath) ? State.restore(Checkpoint.load(lastPath), prog, teacherWeights, dataHash, log)
                        : State.fresh(prog, teacherWeights, cfg.seed());
                Optim.StepLR schedule = new Optim.StepLR(cfg.optim().lr(), cfg.optim().lrDecay());
                prog.profile(profile);
                int epochs = cfg.optim().epochs(), perEpoch = loader.batchesPerEpoch(), accumulate = cfg.optim().accumulate();
                for (int epoch = st.epoch; epoch < epochs; epoch++) {
                    double lr = schedule.lr(epoch);
                    double[] sums = new double[8];
                    long e0 = System.nanoTime();
                    int micro = 0;
                    long lastPrint = System.nanoTime();
                    for (Iterator<TrainLoader.Batch> it = loader.epoch(epoch); it.hasNext(); ) {
                        TrainLoader.Batch b = it.next();
                        System.arraycopy(b.features(), 0, prog.features, 0, prog.features.length);
                        System.arraycopy(b.labels(), 0, prog.labels, 0, prog.labels.length);
                        prog.step(Math.toIntExact(st.step));
                        for (int k = 0; k < 6; k++) {
                            if (!Float.isFinite(prog.metrics[k]))
                                throw new DivergedException(String.format(Locale.ROOT, "%s: loss became %s at epoch %d, step %d (batch %d of the epoch); stopping",
                                        cfg.experiment(), prog.metrics[k], epoch + 1, st.step, micro));
                            sums[k] += prog.metrics[k];
                        }
                        st.step++;
                        micro++;
                        if (micro % accumulate == 0 || micro == perEpoch) prog.update(lr);
                        if (System.nanoTime() - lastPrint > 10e9 || micro == perEpoch) {
                            lastPrint = System.nanoTime();
                            double el = (lastPrint - e0) / 1e9, rate = micro * batch / el;
                            double eta = ((perEpoch - micro) + (long) (epochs - epoch - 1) * perEpoch) * batch / rate;
                            log.printf(Locale.ROOT, "  epoch %d/%d step %d/%d  loss %.4f  acc %.1f%%  %.1f samples/s  ETA %s%n", epoch + 1, epochs,
                                    micro, perEpoch, sums[StepProgram.TOTAL] / micro, sums[StepProgram.ACCURACY] / micro, rate, duration(eta));
                        }
                    }
                    double seconds = (System.nanoTime() - e0) / 1e9;
                    if (profile) prog.profile(25).forEach(line -> log.println("    " + line));
                    EpochRow row = EpochRow.of(epoch + 1, lr, sums, micro, cfg.distills() ? cfg.loss().alpha() : 0, micro * batch / seconds, seconds);
                    boolean validate = validation != null && ((epoch + 1) % cfg.eval().interval() == 0 || epoch + 1 == epochs);
                    if (validate) {
                        float[][] w = prog.modelWeights();
                        try (Embedder emb = new Embedder(model, backend, w[0], w[1])) {
                            Verification.Result r = validation.score(emb, cfg.seed() + epoch);
                            row = row.withValidation(r);
                            log.println("  validation: " + r.summary());
                            if (r.metrics().eer() < st.bestEer) {
                                st.bestEer = r.metrics().eer();
                                st.bestEpoch = epoch + 1;
                                st.bestThreshold = r.metrics().threshold();
                                st.sinceBest = 0;
                                ModelFiles.save(dir.resolve("best.ckpt"), cfg, model, w, classes, provenance(dataHash, epoch + 1, st, r));
                                AtomicFiles.writeString(dir.resolve("scores.txt"), validation.scoreFile(r));
                            } else st.sinceBest++;
                        }
                    }
                    st.rows.add(row);
                    log.println("  " + row.summary());
                    st.epoch = epoch + 1;
                    AtomicFiles.writeString(dir.resolve("epochs.csv"), EpochRow.csv(st.rows));
                    st.save(lastPath, cfg, prog, classes, provenance(dataHash, epoch + 1, st, null));
                    if (st.epoch >= stopAfter && st.epoch < epochs) {
                        log.printf("  stopping after epoch %d as asked; resume with --resume%n", st.epoch);
                        return null;
                    }
                    if (cfg.eval().patience() > 0 && st.sinceBest >= cfg.eval().patience()) {
                        log.printf("  no validation improvement for %d validations: stopping early%n", st.sinceBest);
                        break;
                    }
                }
                if (validation == null) {
                    float[][] w = prog.modelWeights();
                    st.bestEpoch = st.epoch;
                    ModelFiles.save(dir.resolve("best.ckpt"), cfg, model, w, classes, provenance(dataHash, st.epoch, st, null));
                }
                ObjectNode record = ModelFiles.JSON.createObjectNode();
                record.put("experiment", cfg.experiment());
                record.set("config", config);
                record.put("data_hash", dataHash);
                record.put("backend", backend.name());
                record.put("device", backend.device().name());
                record.put("parameters", model.parameters().parameterCount());
                record.put("epochs", st.epoch);
                record.put("best_epoch", st.bestEpoch);
                if (st.bestEer < Double.POSITIVE_INFINITY) record.put("best_eer", st.bestEer);
                record.set("history", EpochRow.json(st.rows));
                record.put("seconds", (System.nanoTime() - t0) / 1e9);
                AtomicFiles.writeString(dir.resolve("done.json"), record.toPrettyString() + "\n");
                return new Outcome(record, dir.resolve("best.ckpt"), lastPath);
            }
        }
    }

    /** The hash of the training list, the trial list and every file they name (the ledger's data hash). */
    public static String dataHash(TrainConfig cfg) throws IOException {
        Path trainRoot = Path.of(cfg.data().trainRoot());
        String train = DatasetHash.of(trainRoot, Path.of(cfg.data().trainList()), null);
        if (cfg.data().trials() == null) return train;
        String trial = DatasetHash.of(Path.of(cfg.data().trialRoot()), null, Path.of(cfg.data().trials()));
        return DatasetHash.sha256((train + "\n" + trial + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private ObjectNode provenance(String dataHash, int epoch, State st, Verification.Result r) {
        ObjectNode p = ModelFiles.JSON.createObjectNode();
        p.put("data_hash", dataHash);
        p.put("epoch", epoch);
        p.put("step", st.step);
        p.put("voxkd", org.voxkd.cli.VersionProvider.version());
        if (r != null) {
            p.put("eer", r.metrics().eer());
            p.put("eer_threshold", r.metrics().threshold());
            p.put("min_dcf_005", r.metrics().minDcf05());
            p.put("targets", r.targets());
            p.put("non_targets", r.nonTargets());
        }
        return p;
    }

    /** What a resumable run carries between epochs. */
    static final class State {
        int epoch, bestEpoch, sinceBest;
        long step;
        double bestEer = Double.POSITIVE_INFINITY, bestThreshold = Double.NaN;
        final List<EpochRow> rows = new ArrayList<>();

        static State fresh(StepProgram prog, float[][] teacherWeights, long seed) {
            ParameterSet ps = prog.model.parameters();
            float[][] w = {ps.initialValues(seed, true), ps.initialValues(seed, false)};
            prog.load(w, prog.classifier.initialValues(seed + 1, true), teacherWeights, null);
            return new State();
        }

        static State restore(Checkpoint.Contents c, StepProgram prog, float[][] teacherWeights, String dataHash, PrintStream log) {
            JsonNode meta = c.meta(), prov = meta.get("provenance");
            if (!dataHash.equals(prov.get("data_hash").asText()))
                throw new IllegalStateException("cannot resume: the data changed since the checkpoint (data hash " + prov.get("data_hash").asText()
                        + ", now " + dataHash + ")");
            Map<String, NamedTensors.Tensor> model = new LinkedHashMap<>(), cls = new LinkedHashMap<>(), mom = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> {
                if (k.startsWith("classifier.")) cls.put(k.substring(11), v);
                else if (k.startsWith("adam.")) mom.put(k.substring(5), v);
                else model.put(k, v);
            });
            ParameterSet ps = prog.model.parameters();
            float[][] w = NamedTensors.pack(ps, model, "checkpoint");
            float[] cw = NamedTensors.pack(prog.classifier, cls, "checkpoint classifier")[0];
            float[][] moments = {mom.get("model.m").data(), mom.get("model.v").data(), mom.get("classifier.m").data(), mom.get("classifier.v").data()};
            prog.load(w, cw, teacherWeights, moments);
            State st = new State();
            JsonNode s = meta.get("state");
            st.epoch = s.get("epoch").asInt();
            st.step = s.get("step").asLong();
            st.bestEpoch = s.get("best_epoch").asInt();
            st.sinceBest = s.get("since_best").asInt();
            st.bestEer = s.get("best_eer").asDouble();
            st.bestThreshold = s.get("best_threshold").asDouble();
            prog.adam.restore(s.get("adam_steps").asLong());
            for (JsonNode r : s.get("history")) st.rows.add(EpochRow.fromJson(r));
            log.printf("resuming after epoch %d (step %d, best EER %s)%n", st.epoch, st.step,
                    Double.isFinite(st.bestEer) ? String.format("%.2f%%", 100 * st.bestEer) : "none yet");
            return st;
        }

        void save(Path path, TrainConfig cfg, StepProgram prog, List<String> classes, ObjectNode provenance) throws IOException {
            ObjectNode meta = ModelFiles.meta(cfg, prog.model, classes, provenance);
            ObjectNode s = meta.putObject("state");
            s.put("epoch", epoch);
            s.put("step", step);
            s.put("best_epoch", bestEpoch);
            s.put("since_best", sinceBest);
            // JSON has no infinity: "no validation yet" is stored as a large EER.
            s.put("best_eer", Double.isFinite(bestEer) ? bestEer : Double.MAX_VALUE);
            s.put("best_threshold", Double.isFinite(bestThreshold) ? bestThreshold : 0);
            s.put("adam_steps", prog.adam.steps());
            s.set("history", EpochRow.json(rows));
            Map<String, NamedTensors.Tensor> t = new LinkedHashMap<>(ModelFiles.tensors(prog.model, prog.modelWeights()));
            float[] cw = prog.classifierWeights();
            t.put("classifier.weight", new NamedTensors.Tensor(prog.classifier.entry("weight").shape(), cw));
            float[][] m = prog.moments();
            t.put("adam.model.m", new NamedTensors.Tensor(new int[] {m[0].length}, m[0]));
            t.put("adam.model.v", new NamedTensors.Tensor(new int[] {m[1].length}, m[1]));
            t.put("adam.classifier.m", new NamedTensors.Tensor(new int[] {m[2].length}, m[2]));
            t.put("adam.classifier.v", new NamedTensors.Tensor(new int[] {m[3].length}, m[3]));
            Checkpoint.save(path, meta, t);
        }
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
