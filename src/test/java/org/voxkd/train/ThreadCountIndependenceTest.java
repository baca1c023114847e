package org.voxkd.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Philox;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.nn.Init;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;

/**
 * A whole student training step (TRAIN mode: dropout, BatchNorm statistics, fused epilogues, Adam) gives the same
 * bits with the kernel loops split over the threads and run on one thread: no result depends on where the chunks
 * fall. Sizes are large enough for every split kernel to fork (rows in the thousands, several SIMD tiles).
 */
class ThreadCountIndependenceTest {
    private static final int BATCH = 6, FRAMES = 230, CLASSES = 17;

    private static float[][] threeSteps() {
        TrainConfig cfg;
        try {
            cfg = TrainConfig.parse("""
                    experiment: threads
                    model: {kind: student}
                    loss: {classifier: aam}
                    data: {train_list: unused.txt}
                    """);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Student student = new Student(new StudentConfig(40, 48, 2, 3, 4, 32, 0.1f));
        ParameterSet classifier = ParameterSet.builder("classifier").param("weight", Init.xavierNormal(32, CLASSES), CLASSES, 32).build();
        try (StepProgram prog = new StepProgram(new CpuBackend(), student, classifier, java.util.List.of(), cfg, BATCH, FRAMES, 5)) {
            ParameterSet sp = student.parameters();
            prog.load(new float[][] {sp.initialValues(5, true), sp.initialValues(5, false)}, classifier.initialValues(6, true), null, 5);
            Philox.Stream rnd = new Philox.Stream(5, 77);
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < prog.features.length; i++) prog.features[i] = (float) rnd.nextGaussian();
                for (int i = 0; i < prog.labels.length; i++) prog.labels[i] = rnd.nextInt(CLASSES);
                prog.step(s);
                prog.update(1e-3);
            }
            float[][] w = prog.modelWeights();
            double[] m = prog.values();
            float[] metrics = new float[m.length];
            for (int i = 0; i < m.length; i++) metrics[i] = (float) m[i];
            return new float[][] {w[0], w[1], prog.classifierWeights(), metrics};
        }
    }

    @Test
    void splitAndSerialKernelsGiveTheSameBits() {
        float[][] split = threeSteps(), serial = Parallel.serially(ThreadCountIndependenceTest::threeSteps);
        String[] what = {"student parameters", "BatchNorm running statistics", "classifier", "last step's metrics"};
        for (int k = 0; k < split.length; k++) assertArrayEquals(serial[k], split[k], what[k] + " differ between split and serial kernels");
        assertTrue(Float.isFinite(split[3][0]), "the loss is finite");
    }
}
