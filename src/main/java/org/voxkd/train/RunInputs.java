package org.voxkd.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.voxkd.audio.Augment;
import org.voxkd.data.DataCheck;
import org.voxkd.data.DatasetHash;
import org.voxkd.data.Lists;
import org.voxkd.io.Checkpoint;
import org.voxkd.nn.NamedTensors;

/**
 * What a run reads before it trains, read and checked once: the training, validation and test lists and every file they
 * name, the augmentation folders, and every teacher checkpoint (loaded and hash-checked once; where the final
 * embeddings are distilled, each teacher's embedding must fit the student's). Also the run's data hash.
 */
public record RunInputs(List<Lists.Utterance> train, List<Lists.Trial> val, List<Lists.Trial> test, Augment augment, List<Teacher> teachers) {
    /** A teacher checkpoint: its model and weights, its classifier head (null when it has none) and the classes it was trained on. */
    public record Teacher(String path, ModelFiles.Loaded loaded, NamedTensors.Tensor head, List<String> classes) {
        /**
         * This teacher for a run over {@code runClasses}: its head is used only when it was trained on exactly those
         * classes (said on {@code log} otherwise); a head of the wrong shape is an error.
         */
        StepProgram.TeacherModel forRun(List<String> runClasses, PrintStream log) throws IOException {
            NamedTensors.Tensor h = head;
            String source = path;
            if (h != null && !classes.equals(runClasses)) {
                log.printf("note: teacher %s was trained on %d other classes (not this run's %d): its classifier head is not used%n", path, classes.size(),
                        runClasses.size());
                h = null;
                source = path + " (trained on other classes)";
            }
            int d = loaded.model().embeddingSize();
            if (h != null && (h.shape().length != 2 || h.shape()[0] != runClasses.size() || h.shape()[1] != d))
                throw new IOException(path + ": classifier.weight has shape " + Arrays.toString(h.shape()) + ", expected [" + runClasses.size() + ", " + d + "]");
            return new StepProgram.TeacherModel(source, loaded.model(), h != null);
        }

        /** The head's floats when {@link #forRun} keeps it, else null. */
        float[] headFor(List<String> runClasses) { return head != null && classes.equals(runClasses) ? head.data() : null; }
    }

    /** Reads and checks everything {@code cfg} needs before training. */
    public static RunInputs read(TrainConfig cfg) throws IOException {
        Augment augment = augmenter(cfg);
        TrainConfig.Data data = cfg.data();
        List<Lists.Utterance> list = Lists.readTrainList(Path.of(data.trainList()));
        List<Lists.Trial> val = data.selectionList() == null ? null : Lists.readTrialList(Path.of(data.selectionList()));
        List<Lists.Trial> test = data.sameList() || data.reportList() == null ? val : Lists.readTrialList(Path.of(data.reportList()));
        DataCheck.checkTrainList(Path.of(data.trainRoot()), list);
        TrainingChecks.list(cfg, list); // two speakers, one batch: what training needs, before it starts
        if (val != null) DataCheck.checkTrialList(Path.of(data.trialRoot()), val);
        if (test != null && test != val) DataCheck.checkTrialList(Path.of(data.trialRoot()), test);
        List<Teacher> teachers = new ArrayList<>();
        if (cfg.distills()) {
            int d = cfg.buildModel().embeddingSize();
            for (TrainConfig.TeacherRef ref : cfg.teacherRefs()) {
                Path file = Path.of(ref.checkpoint());
                Checkpoint.Contents c = Checkpoint.load(file);
                ModelFiles.Loaded teacher = ModelFiles.loaded(c, file);
                if (cfg.finalKd() && teacher.model().embeddingSize() != d)
                    throw new IOException(ref.checkpoint() + ": the teacher's embedding has " + teacher.model().embeddingSize()
                            + " dimensions, the student's " + d + "; distilling the final embedding needs them equal (model.embedding)");
                List<String> classes = new ArrayList<>();
                c.meta().path("classes").forEach(x -> classes.add(x.asText()));
                teachers.add(new Teacher(ref.checkpoint(), teacher, c.tensors().get(ResumeState.CLASSIFIER + "weight"), List.copyOf(classes)));
            }
        }
        return new RunInputs(list, val, test, augment, List.copyOf(teachers));
    }

    /** One line for `voxkd train --check`. */
    public String summary() {
        StringBuilder t = new StringBuilder();
        for (Teacher m : teachers)
            t.append(", teacher ").append(m.loaded().model().kind()).append(" with ").append(m.loaded().model().parameters().parameterCount())
                    .append(" parameters");
        return train.size() + " training utterances of " + Lists.speakers(train).size() + " speakers"
                + (val == null ? ", no validation list" : ", " + val.size() + " validation trials") + (test == null || test == val ? "" : ", " + test.size() + " test trials")
                + t + (augment == null ? ", no augmentation" : ", augmentation: " + augment.describe());
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
        return DatasetHash.sha256(key.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** What {@link #dataHash} reads: configurations with equal keys have equal data hashes. */
    public static String dataKey(TrainConfig cfg) {
        TrainConfig.Data d = cfg.data();
        return String.join("|", d.trainList(), d.trainRoot(), String.valueOf(d.valTrials()), String.valueOf(d.testTrials()), d.trialRoot(),
                d.augment() ? d.musan() + "|" + d.rirs() : "-");
    }
}
