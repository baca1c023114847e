package org.voxkd.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Backend;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Philox;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.engine.cpu.CpuFeatures;
import org.voxkd.nn.Init;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/**
 * {@code optim.precision: bf16} against fp32 for one KD training step of the paper-sized V2 student and standard
 * teacher (short crops): the bf16 GEMMs (exact emulation here, -Dvoxkd.bf16=emulate, since this CPU may lack bf16)
 * move the losses by under 1% and the parameter gradient by under 15% (relative L2; measured 5.6% at 4 × 40 frames,
 * evenly over every tensor: it enters at the loss, where AAM-softmax's scale 30 magnifies the embeddings' rounding),
 * and visibly (bf16 is really in use). Without bf16 hardware or the emulation the step refuses to start, saying why.
 */
class MixedPrecisionTest {
    static final int BATCH = 4, FRAMES = 20, CLASSES = 50;

    static String yaml(String precision) {
        return "model: {kind: student}\nteacher: {checkpoint: unused.ckpt}\nloss: {distillation: cosine, alpha: 0.5}\n"
                + "optim: {precision: " + precision + "}\ndata: {train_list: unused.txt}\n";
    }

    /** One step's named metric columns and model gradients. */
    record Step(java.util.List<String> names, double[] values, float[] gradients) {
        double of(String name) { return values[names.indexOf(name)]; }
    }

    /** One step from the same weights and batch. */
    static Step step(Backend backend, String precision) throws IOException {
        TrainConfig cfg = TrainConfig.parse(yaml(precision));
        Student student = new Student(StudentConfig.v2());
        Teacher teacher = new Teacher(TeacherConfig.standard());
        ParameterSet classifier = ParameterSet.builder("classifier").param("weight", Init.xavierNormal(512, CLASSES), CLASSES, 512).build();
        try (StepProgram prog = new StepProgram(backend, student, classifier,
                java.util.List.of(new StepProgram.TeacherModel("teacher", teacher, false)), cfg, BATCH, FRAMES, 3)) {
            ParameterSet sp = student.parameters(), tp = teacher.parameters();
            prog.load(new float[][] {sp.initialValues(3, true), sp.initialValues(3, false)}, classifier.initialValues(4, true), null, 3);
            prog.loadTeacher(0, new float[][] {tp.initialValues(5, true), tp.initialValues(5, false)}, null);
            Philox.Stream r = new Philox.Stream(3, 77);
            for (int i = 0; i < prog.features.length; i++) prog.features[i] = (float) r.nextGaussian();
            for (int i = 0; i < BATCH; i++) prog.labels[i] = r.nextInt(CLASSES);
            prog.step(0);
            return new Step(prog.columns(), prog.values(), prog.modelGradients());
        }
    }

    static <T> T emulated(java.util.concurrent.Callable<T> body) throws Exception {
        String old = System.getProperty("voxkd.bf16");
        System.setProperty("voxkd.bf16", "emulate");
        try {
            return body.call();
        } finally {
            if (old == null) System.clearProperty("voxkd.bf16"); else System.setProperty("voxkd.bf16", old);
        }
    }

    @Test
    void oneBf16StepStaysCloseToFp32() throws Exception {
        try (Backend cpu = new CpuBackend()) {
            Step fp32 = step(cpu, "fp32"), bf16 = emulated(() -> step(cpu, "bf16"));
            int losses = 0;
            for (String k : fp32.names())
                if (k.startsWith("loss")) {
                    assertEquals(fp32.of(k), bf16.of(k), 1e-2 * Math.abs(fp32.of(k)), "metric " + k);
                    losses++;
                }
            assertTrue(losses >= 2, "loss columns compared: " + fp32.names());
            double diff = 0, norm = 0;
            for (int i = 0; i < fp32.gradients().length; i++) {
                double d = bf16.gradients()[i] - fp32.gradients()[i];
                diff += d * d;
                norm += (double) fp32.gradients()[i] * fp32.gradients()[i];
            }
            double rel = Math.sqrt(diff / norm);
            assertTrue(rel < 0.15, "bf16 gradient deviates from fp32 by " + rel + " (relative L2)");
            assertTrue(rel > 1e-4, "bf16 gradient equals fp32 to " + rel + ": are the GEMMs really bf16?");
        }
    }

    @Test
    void bf16WithoutHardwareOrEmulationRefusesWithTheReason() throws Exception {
        if (CpuFeatures.bf16() || System.getProperty("voxkd.bf16") != null) return; // the error path exists only without bf16
        try (Backend cpu = new CpuBackend()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step(cpu, "bf16"));
            assertTrue(e.getMessage().startsWith("optim.precision bf16 on cpu: precision bf16 needs a CPU with AVX512-BF16 or AMX-BF16"), e.getMessage());
        }
    }

    @Test
    void precisionIsCheckedWhenTheConfigurationIsRead() {
        IOException e = assertThrows(IOException.class, () -> TrainConfig.parse(yaml("fp16")));
        assertTrue(e.getMessage().contains("optim.precision must be fp32 or bf16, got fp16"), e.getMessage());
    }
}
