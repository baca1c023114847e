package org.voxkd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.voxkd.engine.Backend;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Philox;
import org.voxkd.nn.Init;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.pipeline.Profile;
import org.voxkd.train.StepProgram;
import org.voxkd.train.TrainConfig;

/**
 * `voxkd bench profile`: the training step of every arm of a profile at its own shapes (models, teachers, terms, batch,
 * frames; random weights and features), timed by process CPU — which, unlike wall time, a shared machine does not
 * inflate by much — as a ratio to a reference arm measured between every two arms. From the ratios and the reference
 * arm's wall time on an idle machine, it estimates each arm's time and the profile's: the time a profile will take,
 * measured without running it.
 */
public final class ProfileBench {
    private ProfileBench() {}

    /** One arm's figures. */
    public record Row(String arm, long parameters, int batch, int stepsPerEpoch, int epochs, double cpuMsPerStep, double ratio, double estimatedSeconds) {}

    /**
     * @param classes the training speakers (the loader's classes); utterances per epoch = per_speaker × classes
     * @param perSpeaker utterances per speaker for arms whose data.per_speaker is 0 (all of them)
     * @param referenceSeconds the reference arm's whole run on an idle machine (what the estimates scale)
     */
    public static List<Row> run(Backend backend, Path experiments, String profileName, String reference, int classes, int perSpeaker, int reps,
                                double referenceSeconds, PrintWriter log) throws IOException {
        Profile profile = Profile.load(experiments, profileName);
        Map<String, Arm> arms = new LinkedHashMap<>();
        for (String a : profile.arms()) arms.put(a, arm(profile, a, experiments, perSpeaker));
        if (!arms.containsKey(reference)) throw new IllegalArgumentException("profile " + profileName + " has no arm " + reference + " (the reference)");
        Arm ref = arms.get(reference);
        measure(backend, ref, arms, classes, 2); // warm the JIT on the reference
        List<Row> rows = new ArrayList<>();
        for (Arm a : arms.values()) {
            double before = measure(backend, ref, arms, classes, reps), cpu = measure(backend, a, arms, classes, reps), after = measure(backend, ref, arms, classes, reps);
            double ratio = cpu / ((before + after) / 2), work = a.steps(classes) * (double) a.cfg.optim().epochs() / (ref.steps(classes) * ref.cfg.optim().epochs());
            Row r = new Row(a.name, a.cfg.buildModel().parameters().parameterCount(), a.cfg.optim().batch(), a.steps(classes), a.cfg.optim().epochs(),
                    1e3 * cpu, ratio, ratio * work * referenceSeconds);
            rows.add(r);
            log.printf(Locale.ROOT, "  %-22s %8.0f ms/step CPU, %.2f× %s per step, ≈ %.0f s%n", r.arm(), r.cpuMsPerStep(), r.ratio(), reference, r.estimatedSeconds());
            log.flush();
        }
        return rows;
    }

    /** An arm's resolved configuration and the arms its teachers come from. */
    private record Arm(String name, TrainConfig cfg, List<String> teachers, int perSpeaker) {
        int steps(int classes) {
            int per = cfg.data().perSpeaker() > 0 ? cfg.data().perSpeaker() : perSpeaker;
            return Math.max(1, per * classes / cfg.optim().batch());
        }
    }

    private static Arm arm(Profile profile, String name, Path experiments, int perSpeaker) throws IOException {
        ObjectNode tree = profile.experiment(name).tree();
        ObjectNode data = new ObjectMapper().createObjectNode().put("train_list", "unused.txt").setAll((ObjectNode) tree.path("data").deepCopy());
        data.remove("augment"); // augmentation runs in the loader, not in the step timed here (and needs its noise folders)
        tree.set("data", data);
        List<String> teachers = new ArrayList<>();
        refs(tree, teachers);
        return new Arm(name, TrainConfig.fromTree(tree, experiments.resolve(name + ".yaml")), teachers, perSpeaker);
    }

    /** Replaces every {run: ARM} by a placeholder checkpoint, collecting the arms in order. */
    private static void refs(JsonNode n, List<String> arms) {
        if (n instanceof ObjectNode o) {
            if (o.size() == 1 && o.has("run") && o.get("run").isTextual()) {
                arms.add(o.get("run").asText());
                o.removeAll().put("checkpoint", "unused.ckpt");
                return;
            }
            o.elements().forEachRemaining(x -> refs(x, arms));
        } else if (n != null && n.isArray()) n.elements().forEachRemaining(x -> refs(x, arms));
    }

    /** CPU seconds of the process per step + update, over {@code reps} steps after one untimed. */
    private static double measure(Backend backend, Arm a, Map<String, Arm> arms, int classes, int reps) {
        SpeakerModel model = a.cfg.buildModel();
        int d = model.embeddingSize(), batch = a.cfg.optim().batch(), frames = a.cfg.data().maxFrames();
        List<StepProgram.TeacherModel> teachers = new ArrayList<>();
        if (a.cfg.distills()) for (String t : a.teachers) teachers.add(new StepProgram.TeacherModel(t, arms.get(t).cfg.buildModel(), true));
        ParameterSet classifier = ParameterSet.builder("classifier").param("weight", Init.xavierNormal(d, classes), classes, d).build();
        try (StepProgram prog = new StepProgram(backend, model, classifier, teachers, a.cfg, batch, frames, 1)) {
            ParameterSet ps = model.parameters();
            prog.load(new float[][] {ps.initialValues(1, true), ps.initialValues(1, false)}, classifier.initialValues(2, true), null, 1);
            for (int i = 0; i < teachers.size(); i++) {
                ParameterSet tp = teachers.get(i).model().parameters();
                float[] head = new float[classes * teachers.get(i).model().embeddingSize()];
                Philox.Stream h = new Philox.Stream(5 + i, 0);
                for (int j = 0; j < head.length; j++) head[j] = (float) h.nextGaussian();
                prog.loadTeacher(i, new float[][] {tp.initialValues(3 + i, true), tp.initialValues(3 + i, false)}, head);
            }
            Philox.Stream rnd = new Philox.Stream(1, 0xBE7CL);
            for (int i = 0; i < prog.features.length; i++) prog.features[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < prog.labels.length; i++) prog.labels[i] = rnd.nextInt(classes);
            prog.epoch(0, a.cfg.optim().epochs());
            prog.step(0);
            prog.update(a.cfg.optim().lr());
            long c0 = cpuNanos();
            for (int s = 1; s <= reps; s++) {
                prog.step(s);
                prog.update(a.cfg.optim().lr());
            }
            return (cpuNanos() - c0) / 1e9 / reps;
        }
    }

    private static long cpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getProcessCpuTime();
        throw new IllegalStateException("this JVM does not report process CPU time");
    }
}
