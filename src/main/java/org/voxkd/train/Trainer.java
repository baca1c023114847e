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
import org.voxkd.audio.Augment;
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
import org.voxkd.io.ConfigDoc;
import org.voxkd.kernels.Optim;
import org.voxkd.ledger.Environment;
import org.voxkd.ledger.Version;
import org.voxkd.nn.Init;
import org.voxkd.nn.NamedTensors;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.stats.TrialSet;

/**
 * Trains one configuration into a run directory: {@code config.json} (the resolved configuration),
 * {@code epochs.csv} (one row per epoch), {@code last.ckpt} (everything needed to resume),
 * {@code best.ckpt} (best validation EER), {@code scores.txt} (its validation scores),
 * {@code test_scores.txt} (the test list scored once, after training, with the selected and the last weights)
 * and {@code done.json} (the final record). Selection — best epoch, early stopping, the decision threshold a
 * checkpoint stores — sees only the validation list; the test list is read and scored only after the last
 * epoch. A finished run is never overwritten; an interrupted one resumes to the same bits.
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final Path dir;
    private final PrintStream log;
    private boolean profile;
    private java.util.function.BiConsumer<String, Integer> scoring = (list, epoch) -> {};

    /** Prints the slowest tasks of the step after each epoch (launches then wait for completion: slower). */
    public Trainer profiled(boolean on) {
        profile = on;
        return this;
    }

    /** Told each time a trial list is scored: ("validation" | "test", epoch). Tests use it to prove the order. */
    public Trainer onScoring(java.util.function.BiConsumer<String, Integer> listener) {
        scoring = listener;
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
        long t0 = System.nanoTime(), cpu0 = processCpuNanos();
        Checkpoint.Contents resumeFrom = resume && Files.exists(lastPath) ? resumable(lastPath) : null;
        Inputs in = inputs(cfg);
        Files.createDirectories(dir);
        Augment augment = in.augment();
        TrainConfig.Data data = cfg.data();
        Path trainRoot = Path.of(data.trainRoot()), trialRoot = data.selectionList() == null ? null : Path.of(data.trialRoot());
        List<Lists.Utterance> list = in.train();
        List<Lists.Trial> valTrials = in.val(), testTrials = in.test();
        if (data.sameList()) log.println("note: one trial list (" + data.selectionList() + ") both selects and reports: the reported figures are optimistic");
        String dataHash = dataHash(cfg);

        SpeakerModel model = cfg.buildModel();
        int batch = cfg.optim().batch(), frames = data.maxFrames(), d = model.embeddingSize();
        TrainLoader.Config lc = new TrainLoader.Config(batch, frames, cfg.seed(), data.perSpeaker(), data.subsetSeed(), data.workers(), 4, augment);
        try (TrainLoader loader = new TrainLoader(trainRoot, list, lc);
             Backend backend = Backends.create(cfg.backend(), cfg.device())) {
            List<String> classes = loader.classes();
            ParameterSet classifier = ParameterSet.builder("classifier").param("weight", Init.xavierNormal(d, classes.size()), classes.size(), d).build();
            List<StepProgram.TeacherModel> teachers = new ArrayList<>();
            List<float[][]> teacherWeights = new ArrayList<>();
            List<float[]> teacherHeads = new ArrayList<>();
            if (cfg.distills())
                for (TrainConfig.TeacherRef ref : cfg.teacherRefs()) {
                    Loaded t = loadTeacher(ref.checkpoint(), classes);
                    teachers.add(t.model());
                    teacherWeights.add(t.weights());
                    teacherHeads.add(t.head());
                }
            ObjectNode config = cfg.toTree();
            AtomicFiles.writeString(dir.resolve("config.json"), config.toPrettyString() + "\n");
            log.printf(Locale.ROOT, "%s: %s %,d parameters, %d classes, %d utterances, %d batches/epoch of %d×%d frames, backend %s (%s)%n",
                    cfg.experiment(), model.kind(), model.parameters().parameterCount(), classes.size(), loader.utterances().size(),
                    loader.batchesPerEpoch(), batch, frames, backend.name(), backend.device().name());
            for (StepProgram.TeacherModel t : teachers)
                log.printf("teacher: %s (%s, %,d parameters%s), frozen, inference mode%n", t.source(), t.model().kind(), t.model().parameters().parameterCount(),
                        t.hasHead() ? ", with its classifier head" : "");
            if (augment != null) log.println("augmentation: " + augment.describe());

            Verification validation = valTrials == null ? null
                    : new Verification(trialRoot, valTrials, cfg.eval().frames(), cfg.eval().crops(), data.workers());
            try (StepProgram prog = new StepProgram(backend, model, classifier, teachers, cfg, batch, frames, cfg.seed())) {
                for (int i = 0; i < teachers.size(); i++) prog.loadTeacher(i, teacherWeights.get(i), teacherHeads.get(i));
                if (prog.adapters != null) log.printf("adapters: %,d parameters (%s)%n", prog.adapters.parameterCount(),
                        String.join(", ", prog.adapters.entries().stream().map(e -> e.name() + " " + e.shapeString()).toList()));
                State st = resumeFrom != null ? State.restore(resumeFrom, lastPath, prog, dataHash, log) : State.fresh(prog, cfg.seed());
                Optim.StepLR schedule = new Optim.StepLR(cfg.optim().lr(), cfg.optim().lrDecay());
                prog.profile(profile);
                int epochs = cfg.optim().epochs(), perEpoch = loader.batchesPerEpoch(), accumulate = cfg.optim().accumulate();
                for (int epoch = st.epoch; epoch < epochs; epoch++) {
                    double lr = schedule.lr(epoch);
                    prog.epoch(epoch, epochs);
                    Map<String, Double> weights = prog.weights(epoch, epochs);
                    EpochRow.Sums sums = new EpochRow.Sums(prog.columns());
                    Map<String, Double> paramGrads = Map.of();
                    long e0 = System.nanoTime();
                    int micro = 0;
                    long lastPrint = System.nanoTime();
                    for (Iterator<TrainLoader.Batch> it = loader.epoch(epoch); it.hasNext(); ) {
                        TrainLoader.Batch b = it.next();
                        System.arraycopy(b.features(), 0, prog.features, 0, prog.features.length);
                        System.arraycopy(b.labels(), 0, prog.labels, 0, prog.labels.length);
                        prog.step(Math.toIntExact(st.step));
                        double[] v = prog.values();
                        for (int k = 0; k < v.length; k++)
                            if (!Double.isFinite(v[k]))
                                throw new DivergedException(String.format(Locale.ROOT, "%s: %s became %s at epoch %d, step %d (batch %d of the epoch); stopping",
                                        cfg.experiment(), sums.names.get(k), v[k], epoch + 1, st.step, micro));
                        sums.addStep(v);
                        st.step++;
                        micro++;
                        if (micro == perEpoch && !prog.distillationTerms().isEmpty()) paramGrads = prog.diagnose();
                        if (micro % accumulate == 0 || micro == perEpoch) {
                            prog.update(lr);
                            sums.addUpdate(prog.lastUpdate);
                        }
                        if (System.nanoTime() - lastPrint > 10e9 || micro == perEpoch) {
                            lastPrint = System.nanoTime();
                            double el = (lastPrint - e0) / 1e9, rate = micro * batch / el;
                            double eta = ((perEpoch - micro) + (long) (epochs - epoch - 1) * perEpoch) * batch / rate;
                            log.printf(Locale.ROOT, "  epoch %d/%d step %d/%d  loss %.4f  acc %.1f%%  %.1f samples/s  ETA %s%n", epoch + 1, epochs,
                                    micro, perEpoch, sums.total(weights), sums.mean("train_accuracy"), rate, duration(eta));
                        }
                    }
                    double seconds = (System.nanoTime() - e0) / 1e9;
                    if (profile) prog.profile(25).forEach(line -> log.println("    " + line));
                    EpochRow row = EpochRow.of(epoch + 1, lr, sums, weights, prog.distillationTerms(),
                            prog.groups.stream().map(StepProgram.Group::name).toList(), paramGrads, micro * batch / seconds, seconds);
                    boolean validate = validation != null && ((epoch + 1) % cfg.eval().interval() == 0 || epoch + 1 == epochs);
                    if (validate) {
                        float[][] w = prog.modelWeights();
                        try (Embedder emb = new Embedder(model, backend, w[0], w[1])) {
                            scoring.accept("validation", epoch + 1);
                            Verification.Result r = validation.score(emb, cfg.seed() + epoch);
                            row = row.withValidation(r);
                            log.println("  validation: " + r.summary());
                            if (r.metrics().eer() < st.bestEer) {
                                st.bestEer = r.metrics().eer();
                                st.bestEpoch = epoch + 1;
                                st.bestThreshold = r.metrics().threshold();
                                st.sinceBest = 0;
                                ModelFiles.save(dir.resolve("best.ckpt"), cfg, model, w, classes, provenance(dataHash, epoch + 1, st, r), heads(prog));
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
                float[][] lastWeights = prog.modelWeights();
                if (validation == null) {
                    st.bestEpoch = st.epoch;
                    ModelFiles.save(dir.resolve("best.ckpt"), cfg, model, lastWeights, classes, provenance(dataHash, st.epoch, st, null), heads(prog));
                }
                ObjectNode test = testTrials == null ? null : test(trialRoot, testTrials, model, backend, lastWeights, st);
                ObjectNode record = ModelFiles.JSON.createObjectNode();
                record.put("experiment", cfg.experiment());
                record.set("config", config);
                record.put("data_hash", dataHash);
                record.put("backend", backend.name());
                record.put("device", backend.device().name());
                record.set("environment", Environment.capture(backend.device()));
                record.put("parameters", model.parameters().parameterCount());
                record.put("epochs", st.epoch);
                record.put("best_epoch", st.bestEpoch);
                if (st.bestEer < Double.POSITIVE_INFINITY) record.put("best_eer", st.bestEer);
                record.put("selection", valTrials == null ? "none (no validation list: the last epoch)"
                        : data.sameList() ? "same list as the test (only one trial list given)" : "validation list");
                if (test != null) record.set("test", test);
                record.set("history", EpochRow.json(st.rows));
                record.put("seconds", (System.nanoTime() - t0) / 1e9);
                // CPU time of the whole process over the run: on a shared machine it measures the work where wall time cannot.
                if (cpu0 >= 0) record.put("cpu_seconds", (processCpuNanos() - cpu0) / 1e9);
                AtomicFiles.writeString(dir.resolve("done.json"), record.toPrettyString() + "\n");
                return new Outcome(record, dir.resolve("best.ckpt"), lastPath);
            }
        }
    }

    /**
     * The test list, scored once: with the selected weights (best.ckpt) and with the last ones. Writes
     * {@code test_scores.txt} — one line per trial in list order, "label best last enroll-speaker test-speaker",
     * scores as shortest float strings (exact), after a header naming the list and its SHA-256 — so that the
     * report can form speaker-clustered and paired intervals from the run directory alone.
     */
    private ObjectNode test(Path root, List<Lists.Trial> trials, SpeakerModel model, Backend backend, float[][] lastWeights, State st) throws IOException {
        scoring.accept("test", st.epoch);
        Path listFile = Path.of(cfg.data().reportList());
        log.printf("test: %d trials of %s, scored once with the selected (epoch %d) and the last (epoch %d) weights%n", trials.size(), listFile,
                st.bestEpoch, st.epoch);
        Verification test = new Verification(root, trials, cfg.eval().frames(), cfg.eval().crops(), cfg.data().workers());
        float[][] best = ModelFiles.load(dir.resolve("best.ckpt")).weights();
        Verification.Result rb, rl;
        try (Embedder eb = new Embedder(model, backend, best[0], best[1]); Embedder el = new Embedder(model, backend, lastWeights[0], lastWeights[1])) {
            rb = test.score(eb, TEST_BOOTSTRAP_SEED);
            rl = test.score(el, TEST_BOOTSTRAP_SEED);
        }
        String sha = DatasetHash.sha256(listFile);
        StringBuilder sb = new StringBuilder("# voxkd test scores: one line per trial of the test list, in list order\n")
                .append("# trials ").append(listFile.getFileName()).append(" sha256 ").append(sha).append('\n')
                .append("# label best(epoch ").append(st.bestEpoch).append(") last(epoch ").append(st.epoch).append(") enroll_speaker test_speaker\n");
        for (int i = 0; i < trials.size(); i++) {
            Lists.Trial t = trials.get(i);
            sb.append(t.label()).append(' ').append((float) rb.scores()[i]).append(' ').append((float) rl.scores()[i]).append(' ')
                    .append(TrialSet.speakerOf(t.enroll())).append(' ').append(TrialSet.speakerOf(t.test())).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("test_scores.txt"), sb.toString());
        log.println("  test (selected, epoch " + st.bestEpoch + "): " + rb.summary());
        log.println("  test (last, epoch " + st.epoch + "): " + rl.summary());
        ObjectNode o = ModelFiles.JSON.createObjectNode();
        o.put("list", listFile.getFileName().toString());
        o.put("sha256", sha);
        o.put("same_as_validation", cfg.data().sameList());
        o.set("best", testMetrics(rb, st.bestEpoch, Double.isFinite(st.bestThreshold) ? st.bestThreshold : Double.NaN));
        o.set("last", testMetrics(rl, st.epoch, Double.NaN));
        return o;
    }

    /** Bootstrap seed of the test intervals: the same resamples for every run, so runs can be compared. */
    static final long TEST_BOOTSTRAP_SEED = 0x7E57;

    private static ObjectNode testMetrics(Verification.Result r, int epoch, double threshold) {
        ObjectNode m = ModelFiles.JSON.createObjectNode();
        m.put("epoch", epoch);
        m.put("eer", r.metrics().eer());
        m.put("eer_ci_low", r.eerInterval().low());
        m.put("eer_ci_high", r.eerInterval().high());
        m.put("min_dcf_005", r.metrics().minDcf05());
        m.put("min_dcf_005_ci_low", r.minDcf05Interval().low());
        m.put("min_dcf_005_ci_high", r.minDcf05Interval().high());
        m.put("min_dcf_001", r.metrics().minDcf01());
        m.put("min_dcf_001_ci_low", r.minDcf01Interval().low());
        m.put("min_dcf_001_ci_high", r.minDcf01Interval().high());
        m.put("target_trials", r.targets());
        m.put("nontarget_trials", r.nonTargets());
        if (Double.isFinite(threshold)) {
            // what a deployed system gets: the decision threshold chosen on validation, applied to the test list
            int fr = 0, fa = 0;
            for (int i = 0; i < r.scores().length; i++) {
                boolean accept = r.scores()[i] >= threshold;
                if (r.labels()[i] == 1 && !accept) fr++;
                if (r.labels()[i] == 0 && accept) fa++;
            }
            m.put("validation_threshold", threshold);
            m.put("frr_at_validation_threshold", fr / (double) r.targets());
            m.put("far_at_validation_threshold", fa / (double) r.nonTargets());
        }
        return m;
    }

    /** The hash of the training list, the validation and test lists, and every file they name (the ledger's data hash). */
    public static String dataHash(TrainConfig cfg) throws IOException {
        TrainConfig.Data data = cfg.data();
        String train = DatasetHash.of(Path.of(data.trainRoot()), Path.of(data.trainList()));
        StringBuilder key = new StringBuilder(train).append('\n');
        if (data.selectionList() != null) {
            Path root = Path.of(data.trialRoot());
            key.append("val ").append(DatasetHash.of(root, null, Path.of(data.selectionList()))).append('\n');
            key.append("test ").append(DatasetHash.of(root, null, Path.of(data.reportList()))).append('\n');
        }
        if (data.augment()) {
            // the noise, babble, music and impulse responses mixed in are training data too
            key.append("musan ").append(DatasetHash.ofFolder(Path.of(data.musan()))).append('\n');
            key.append("rirs ").append(DatasetHash.ofFolder(Path.of(data.rirs()))).append('\n');
        }
        if (data.selectionList() == null && !data.augment()) return train;
        return DatasetHash.sha256(key.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** What {@link #dataHash} reads: configurations with equal keys have equal data hashes. */
    public static String dataKey(TrainConfig cfg) {
        TrainConfig.Data d = cfg.data();
        return String.join("|", d.trainList(), d.trainRoot(), String.valueOf(d.valTrials()), String.valueOf(d.testTrials()), d.trialRoot(),
                d.augment() ? d.musan() + "|" + d.rirs() : "-");
    }

    /**
     * The augmentation a configuration asks for, its folders checked (missing, empty or without noise/, speech/,
     * music/ is an error now, before any training); null when {@code data.augment} is false.
     */
    public static Augment augmenter(TrainConfig cfg) throws IOException {
        Augment.Config a = cfg.data().augmentation();
        if (a == null) return null;
        try {
            return new Augment(a);
        } catch (IOException e) {
            throw new IOException("data.augment: " + e.getMessage(), e);
        }
    }

    /**
     * The checkpoint to resume from, refused unless the run's configuration is the one it was trained with (only
     * {@code optim.epochs} may change): epochs trained under two configurations must never be recorded as one run.
     */
    private Checkpoint.Contents resumable(Path last) throws IOException {
        Checkpoint.Contents c = Checkpoint.load(last);
        JsonNode saved = c.meta().get("config");
        if (!(saved instanceof ObjectNode)) throw new IOException(last + ": the checkpoint header holds no configuration; cannot check what it was trained with");
        ObjectNode was;
        try {
            was = TrainConfig.fromTree(saved, last).toTree();
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
            java.util.TreeSet<String> keys = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) differences(ConfigDoc.child(ptr, k), a.get(k), b.get(k), out);
        } else if (!java.util.Objects.equals(a, b)) {
            out.add(ConfigDoc.dotted(ptr) + " (" + a + " → " + b + ")");
        }
    }

    private ObjectNode provenance(String dataHash, int epoch, State st, Verification.Result r) {
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

    /** What a run reads before it trains: the lists (every file checked), the augmentation, the teachers. */
    public record Inputs(List<Lists.Utterance> train, List<Lists.Trial> val, List<Lists.Trial> test, Augment augment, List<ModelFiles.Loaded> teachers) {
        /** One line for `voxkd train --check`. */
        public String summary() {
            StringBuilder t = new StringBuilder();
            for (ModelFiles.Loaded m : teachers)
                t.append(", teacher ").append(m.model().kind()).append(" with ").append(m.model().parameters().parameterCount()).append(" parameters");
            return train.size() + " training utterances of " + Lists.speakers(train).size() + " speakers"
                    + (val == null ? ", no validation list" : ", " + val.size() + " validation trials") + (test == null || test == val ? "" : ", " + test.size() + " test trials")
                    + t + (augment == null ? ", no augmentation" : ", augmentation: " + augment.describe());
        }
    }

    /**
     * Reads and checks everything a configuration needs before training: the training, validation and test lists and
     * every file they name, the augmentation folders and every teacher checkpoint (where the final embeddings are
     * distilled, each teacher's embedding must fit the student's).
     */
    public static Inputs inputs(TrainConfig cfg) throws IOException {
        Augment augment = augmenter(cfg);
        TrainConfig.Data data = cfg.data();
        List<Lists.Utterance> list = Lists.readTrainList(Path.of(data.trainList()));
        List<Lists.Trial> val = data.selectionList() == null ? null : Lists.readTrialList(Path.of(data.selectionList()));
        List<Lists.Trial> test = data.sameList() || data.reportList() == null ? val : Lists.readTrialList(Path.of(data.reportList()));
        DataCheck.checkTrainList(Path.of(data.trainRoot()), list);
        if (val != null) DataCheck.checkTrialList(Path.of(data.trialRoot()), val);
        if (test != null && test != val) DataCheck.checkTrialList(Path.of(data.trialRoot()), test);
        List<ModelFiles.Loaded> teachers = new ArrayList<>();
        if (cfg.distills()) {
            int d = cfg.buildModel().embeddingSize();
            for (TrainConfig.TeacherRef ref : cfg.teacherRefs()) {
                ModelFiles.Loaded teacher = ModelFiles.load(Path.of(ref.checkpoint()));
                if (cfg.finalKd() && teacher.model().embeddingSize() != d)
                    throw new IOException(ref.checkpoint() + ": the teacher's embedding has " + teacher.model().embeddingSize()
                            + " dimensions, the student's " + d + "; distilling the final embedding needs them equal (model.embedding)");
                teachers.add(teacher);
            }
        }
        return new Inputs(list, val, test, augment, List.copyOf(teachers));
    }

    /** What a resumable run carries between epochs. */
    static final class State {
        int epoch, bestEpoch, sinceBest;
        long step;
        double bestEer = Double.POSITIVE_INFINITY, bestThreshold = Double.NaN;
        final List<EpochRow> rows = new ArrayList<>();

        static State fresh(StepProgram prog, long seed) {
            ParameterSet ps = prog.model.parameters();
            float[][] w = {ps.initialValues(seed, true), ps.initialValues(seed, false)};
            prog.load(w, prog.classifier.initialValues(seed + 1, true), null, seed);
            return new State();
        }

        static State restore(Checkpoint.Contents c, Path file, StepProgram prog, String dataHash, PrintStream log) throws IOException {
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
            State st = new State();
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

        void save(Path path, TrainConfig cfg, StepProgram prog, List<String> classes, ObjectNode provenance) throws IOException {
            ObjectNode meta = ModelFiles.meta(cfg, prog.model, classes, provenance);
            ObjectNode s = meta.putObject("state");
            s.put("epoch", epoch);
            s.put("step", step);
            s.put("best_epoch", bestEpoch);
            s.put("since_best", sinceBest);
            // "no validation yet" is an absent best_eer (JSON has no infinity; a stand-in number would leak into records)
            if (Double.isFinite(bestEer)) s.put("best_eer", bestEer);
            if (Double.isFinite(bestThreshold)) s.put("best_threshold", bestThreshold);
            s.put("adam_steps", prog.adam.steps());
            s.set("history", EpochRow.json(rows));
            Map<String, NamedTensors.Tensor> t = new LinkedHashMap<>(ModelFiles.tensors(prog.model, prog.modelWeights()));
            t.putAll(heads(prog));
            prog.moments().forEach((k, v) -> t.put(ADAM + k, new NamedTensors.Tensor(new int[] {v.length}, v)));
            Checkpoint.save(path, meta, t);
        }
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

    /** A teacher from its model checkpoint: network, weights, and its classifier head when it has one over {@code classes}. */
    private record Loaded(StepProgram.TeacherModel model, float[][] weights, float[] head) {}

    private Loaded loadTeacher(String path, List<String> classes) throws IOException {
        Checkpoint.Contents tc = Checkpoint.load(Path.of(path));
        SpeakerModel m = ModelFiles.model(tc.meta(), path);
        float[][] w = NamedTensors.pack(m.parameters(), ModelFiles.modelTensors(tc.tensors()), "teacher checkpoint " + path);
        NamedTensors.Tensor head = tc.tensors().get(CLASSIFIER + "weight");
        List<String> theirs = new ArrayList<>();
        tc.meta().path("classes").forEach(x -> theirs.add(x.asText()));
        String source = path;
        if (head != null && !theirs.equals(classes)) {
            log.printf("note: teacher %s was trained on %d other classes (not this run's %d): its classifier head is not used%n", path, theirs.size(), classes.size());
            head = null;
            source = path + " (trained on other classes)";
        }
        if (head != null && (head.shape().length != 2 || head.shape()[0] != classes.size() || head.shape()[1] != m.embeddingSize()))
            throw new IOException(path + ": classifier.weight has shape " + java.util.Arrays.toString(head.shape()) + ", expected [" + classes.size() + ", "
                    + m.embeddingSize() + "]");
        return new Loaded(new StepProgram.TeacherModel(source, m, head != null), w, head == null ? null : head.data());
    }

    /** CPU time of this process in ns, or −1 where the JVM cannot tell. */
    static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
