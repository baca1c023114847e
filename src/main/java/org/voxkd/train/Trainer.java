package org.voxkd.train;

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
import java.util.function.BiConsumer;
import org.voxkd.data.TrainLoader;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.ParameterSet;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Verification;
import org.voxkd.io.AtomicFiles;
import org.voxkd.io.Checkpoint;
import org.voxkd.ledger.RunId;
import org.voxkd.kernels.Optim;
import org.voxkd.nn.Init;
import org.voxkd.nn.SpeakerModel;

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
    private BiConsumer<String, Integer> scoring = (list, epoch) -> {};
    private Path root = Path.of("").toAbsolutePath();
    private ObjectNode config; // the configuration as recorded: paths relative to the root

    /**
     * The folder the recorded paths are relative to (config.json, checkpoint headers): the project or results root, so
     * that the same run made in two checkouts has byte-identical artifacts; the absolute root goes only into done.json.
     * Default: the working directory.
     */
    public Trainer relativeTo(Path root) {
        this.root = root.toAbsolutePath().normalize();
        return this;
    }

    /** Prints the slowest tasks of the step after each epoch (launches then wait for completion: slower). */
    public Trainer profiled(boolean on) {
        profile = on;
        return this;
    }

    /** Told each time a trial list is scored: ("validation" | "test", epoch). Tests use it to prove the order. */
    public Trainer onScoring(BiConsumer<String, Integer> listener) {
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
        long t0 = System.nanoTime(), cpu0 = RunRecord.processCpuNanos();
        Checkpoint.Contents resumeFrom = resume && Files.exists(lastPath) ? ResumeState.checked(lastPath, cfg, dir, root) : null;
        RunInputs in = RunInputs.read(cfg);
        Files.createDirectories(dir);
        TrainConfig.Data data = cfg.data();
        Path trainRoot = Path.of(data.trainRoot()), trialRoot = data.selectionList() == null ? null : Path.of(data.trialRoot());
        if (data.sameList()) log.println("note: one trial list (" + data.selectionList() + ") both selects and reports: the reported figures are optimistic");
        String dataHash = RunInputs.dataHash(cfg);

        SpeakerModel model = cfg.buildModel();
        int batch = cfg.optim().batch(), frames = data.maxFrames(), d = model.embeddingSize();
        TrainLoader.Config lc = new TrainLoader.Config(batch, frames, cfg.seed(), data.perSpeaker(), data.subsetSeed(), data.workers(), 4, in.augment());
        try (TrainLoader loader = new TrainLoader(trainRoot, in.train(), lc);
             Backend backend = Backends.create(cfg.backend(), cfg.device())) {
            List<String> classes = loader.classes();
            ParameterSet classifier = ParameterSet.builder("classifier").param("weight", Init.xavierNormal(d, classes.size()), classes.size(), d).build();
            List<StepProgram.TeacherModel> teachers = new ArrayList<>();
            for (RunInputs.Teacher t : in.teachers()) teachers.add(t.forRun(classes, log));
            config = RunId.portable(cfg.toTree(), root);
            AtomicFiles.writeString(dir.resolve("config.json"), config.toPrettyString() + "\n");
            log.printf(Locale.ROOT, "%s: %s %,d parameters, %d classes, %d utterances, %d batches/epoch of %d×%d frames, backend %s (%s)%n",
                    cfg.experiment(), model.kind(), model.parameters().parameterCount(), classes.size(), loader.utterances().size(),
                    loader.batchesPerEpoch(), batch, frames, backend.name(), backend.device().name());
            for (StepProgram.TeacherModel t : teachers)
                log.printf("teacher: %s (%s, %,d parameters%s), frozen, inference mode%n", t.source(), t.model().kind(), t.model().parameters().parameterCount(),
                        t.hasHead() ? ", with its classifier head" : "");
            if (in.augment() != null) log.println("augmentation: " + in.augment().describe());

            Verification validation = in.val() == null ? null
                    : new Verification(trialRoot, in.val(), cfg.eval().frames(), cfg.eval().crops(), data.workers());
            try (StepProgram prog = new StepProgram(backend, model, classifier, teachers, cfg, batch, frames, cfg.seed())) {
                for (int i = 0; i < teachers.size(); i++) prog.loadTeacher(i, in.teachers().get(i).loaded().weights(), in.teachers().get(i).headFor(classes));
                if (prog.adapters != null) log.printf("adapters: %,d parameters (%s)%n", prog.adapters.parameterCount(),
                        String.join(", ", prog.adapters.entries().stream().map(e -> e.name() + " " + e.shapeString()).toList()));
                ResumeState st = resumeFrom != null ? ResumeState.restore(resumeFrom, lastPath, prog, dataHash, log) : ResumeState.fresh(prog, cfg.seed());
                Optim.StepLR schedule = new Optim.StepLR(cfg.optim().lr(), cfg.optim().lrDecay());
                prog.profile(profile);
                int epochs = cfg.optim().epochs();
                if (st.epoch >= stopAfter && st.epoch < epochs) { // resumed at or past the stop: train nothing
                    log.printf("  %d epochs already trained, stopping after epoch %d as asked; resume with --resume%n", st.epoch, stopAfter);
                    return null;
                }
                for (int epoch = st.epoch; epoch < epochs; epoch++) {
                    EpochRow row = trainEpoch(prog, loader, st, epoch, epochs, schedule.lr(epoch));
                    if (validation != null && ((epoch + 1) % cfg.eval().interval() == 0 || epoch + 1 == epochs))
                        row = validate(prog, model, backend, validation, classes, dataHash, st, epoch, row);
                    st.rows.add(row);
                    log.println("  " + row.summary());
                    st.epoch = epoch + 1;
                    AtomicFiles.writeString(dir.resolve("epochs.csv"), EpochRow.csv(st.rows));
                    st.save(lastPath, config, prog, classes, RunRecord.provenance(dataHash, epoch + 1, st, null));
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
                    ModelFiles.save(dir.resolve("best.ckpt"), config, model, lastWeights, classes, RunRecord.provenance(dataHash, st.epoch, st, null),
                            ResumeState.heads(prog));
                }
                ObjectNode test = null;
                if (in.test() != null) {
                    scoring.accept("test", st.epoch);
                    test = FinalTest.score(cfg, dir, log, trialRoot, in.test(), model, backend, lastWeights, st);
                }
                ObjectNode record = RunRecord.done(cfg, config, dataHash, backend, model.parameters().parameterCount(), st, in.val() != null, test,
                        (System.nanoTime() - t0) / 1e9, cpu0 >= 0 ? (RunRecord.processCpuNanos() - cpu0) / 1e9 : -1);
                record.put("paths_relative_to", root.toString()); // provenance only: nothing hashed or compared reads it
                AtomicFiles.writeString(dir.resolve("done.json"), record.toPrettyString() + "\n");
                return new Outcome(record, dir.resolve("best.ckpt"), lastPath);
            }
        }
    }

    /**
     * One epoch of training steps — step, check the metrics are finite, accumulate, update every {@code accumulate}
     * micro-batches — with progress every 10 s; on the epoch's last batch each distillation term's own parameter gradient.
     */
    private EpochRow trainEpoch(StepProgram prog, TrainLoader loader, ResumeState st, int epoch, int epochs, double lr) {
        int batch = cfg.optim().batch(), perEpoch = loader.batchesPerEpoch(), accumulate = cfg.optim().accumulate();
        prog.epoch(epoch, epochs);
        Map<String, Double> weights = prog.weights(epoch, epochs);
        EpochRow.Sums sums = new EpochRow.Sums(prog.columns());
        Map<String, Double> paramGrads = Map.of();
        long e0 = System.nanoTime(), lastPrint = e0;
        int micro = 0;
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
        return EpochRow.of(epoch + 1, lr, sums, weights, prog.distillationTerms(), prog.groups.stream().map(StepProgram.Group::name).toList(), paramGrads,
                micro * batch / seconds, seconds);
    }

    /** Scores the validation list with the weights as they are; a new best is saved (best.ckpt, scores.txt). */
    private EpochRow validate(StepProgram prog, SpeakerModel model, Backend backend, Verification validation, List<String> classes, String dataHash,
                              ResumeState st, int epoch, EpochRow row) throws IOException {
        float[][] w = prog.modelWeights();
        try (Embedder emb = new Embedder(model, backend, w[0], w[1])) {
            scoring.accept("validation", epoch + 1);
            Verification.Result r = validation.score(emb, cfg.seed() + epoch);
            log.println("  validation: " + r.summary());
            if (r.metrics().eer() < st.bestEer) {
                st.bestEer = r.metrics().eer();
                st.bestEpoch = epoch + 1;
                st.bestThreshold = r.metrics().threshold();
                st.sinceBest = 0;
                ModelFiles.save(dir.resolve("best.ckpt"), config, model, w, classes, RunRecord.provenance(dataHash, epoch + 1, st, r), ResumeState.heads(prog));
                AtomicFiles.writeString(dir.resolve("scores.txt"), validation.scoreFile(r));
            } else st.sinceBest++;
            return row.withValidation(r);
        }
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
