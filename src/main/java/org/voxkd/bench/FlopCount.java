package org.voxkd.bench;

import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.TeacherConfig;

/**
 * Floating-point work of the models, counted analytically per sample (one crop of {@code frames} frames).
 * Only GEMMs are counted — every matrix product the engine records: linears, convolutions (im2col GEMM,
 * grouped pointwise as G GEMMs), the LSTM's input and recurrent products, the classifier's cosine matrix —
 * at 2·M·N·K each. Norms, activations, pooling, softmax, losses and Adam are not counted; depthwise
 * convolutions are not GEMMs and are not counted either. Everything is linear in the batch, so per-sample
 * figures hold at any batch size. The counts mirror the GEMMs {@code Student}, {@code Teacher} and
 * {@code Loss} record ({@code FlopCountTest} checks them against recorded graphs).
 */
public final class FlopCount {
    private FlopCount() {}

    /** Forward and backward FLOPs of one sample. */
    public record Flops(double forward, double backward) {
        public double total() { return forward + backward; }
    }

    static double gemm(double m, double n, double k) { return 2 * m * n * k; }

    /**
     * The student: stem conv3 (as GEMM over 3·mels), per block the two grouped pointwise layers and fc1/fc2,
     * the two attention linears of the channel-wise attentive pooling, and the embedding fc. The backward is
     * two GEMMs of the forward's size per layer (input gradient and weight gradient), except the stem, whose
     * input needs no gradient (weight gradient only).
     */
    public static Flops student(StudentConfig c, int frames) {
        double t = frames, m = c.mels(), h = c.hidden(), eh = (double) c.expansion() * h, g = c.groups(), d = c.embedding();
        double stem = gemm(t, h, 3 * m);
        double block = g * gemm(t, eh / g, h / g) + g * gemm(t, h / g, eh / g) + gemm(t, 2 * eh, h) + gemm(t, h, eh);
        double head = 2 * gemm(t, h, h) + gemm(1, d, 2 * h);
        double forward = stem + c.blocks() * block + head;
        return new Flops(forward, 2 * forward - stem);
    }

    /**
     * The teacher's forward (it is frozen during distillation, so no backward): three encoder conv3 layers,
     * per LSTM layer and direction the input GEMM over all frames and {@code frames − 1} recurrent GEMMs
     * (the first step starts from a zero state and skips its product), the scalar attention's two linears,
     * and the embedding fc. The decoder is not run.
     */
    public static double teacherForward(TeacherConfig c, int frames) {
        double t = frames, h = c.lstmHidden();
        double[] ch = {c.mels(), c.channels(), c.channels(), c.latent()};
        double encoder = 0;
        for (int i = 0; i < 3; i++) encoder += gemm(t, ch[i + 1], 3 * ch[i]);
        double lstm = 0;
        for (int l = 0; l < c.lstmLayers(); l++) {
            double in = l == 0 ? c.latent() : 2 * h;
            lstm += 2 * (gemm(t, 4 * h, in) + (t - 1) * gemm(1, 4 * h, h));
        }
        double head = gemm(t, 2 * h, 2 * h) + gemm(t, 1, 2 * h) + gemm(1, c.embedding(), 4 * h);
        return encoder + lstm + head;
    }

    /** The margin classifier over {@code classes}: cosines by one GEMM forward; input and weight gradients backward. */
    public static Flops classifier(int classes, int embedding) {
        double f = gemm(1, classes, embedding);
        return new Flops(f, 2 * f);
    }

    /** One distillation training step, per sample: student forward and backward, teacher forward, classifier forward and backward. */
    public static double trainStep(StudentConfig student, TeacherConfig teacher, int classes, int frames) {
        return student(student, frames).total() + teacherForward(teacher, frames) + classifier(classes, student.embedding()).total();
    }

    /**
     * One step of the teacher trained alone (no distillation), per sample: its forward (the decoder is not run: its
     * loss term is off in every voxkd experiment), backward counted as twice the forward, classifier forward and backward.
     */
    public static double teacherTrainStep(TeacherConfig teacher, int classes, int frames) {
        return 3 * teacherForward(teacher, frames) + classifier(classes, teacher.embedding()).total();
    }

    /** Student inference (embedding extraction), per sample. */
    public static double inference(StudentConfig student, int frames) {
        return student(student, frames).forward();
    }
}
