package org.voxkd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.voxkd.engine.ImmutableTaskGraph;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.Task;
import org.voxkd.engine.TaskGraph;
import org.voxkd.kernels.Blas;
import org.voxkd.nn.Mode;
import org.voxkd.nn.Pass;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

class FlopCountTest {
    // mels 4, hidden 8, 1 block, expansion 2 (EH 16), groups 2, embedding 6
    static final StudentConfig TINY_STUDENT = new StudentConfig(4, 8, 1, 2, 2, 6, 0f);
    // mels 4, channels 6, latent 3, LSTM hidden 2 (4H 8), 1 layer, embedding 5
    static final TeacherConfig TINY_TEACHER = new TeacherConfig(4, 6, 3, 2, 1, 5, 0f, 0f);

    @Test
    void tinyStudentByHand() {
        // T = 5 frames per sample
        double stem = 2 * 5 * 8 * (3 * 4);       // 960: conv3 as GEMM [5 × 12]·[12 × 8]
        double gp1 = 2 * (2 * 5 * 8 * 4);        // 640: two groups of [5 × 4]·[4 × 8]
        double gp2 = 2 * (2 * 5 * 4 * 8);        // 640: two groups of [5 × 8]·[8 × 4]
        double fc1 = 2 * 5 * 32 * 8;             // 2560: 8 → 2·EH = 32
        double fc2 = 2 * 5 * 8 * 16;             // 1280: EH 16 → 8
        double attn = 2 * (2 * 5 * 8 * 8);       // 1280: two 8 → 8 linears over the frames
        double fc = 2 * 1 * 6 * 16;              // 192: pooled stats 2H = 16 → 6
        double forward = stem + gp1 + gp2 + fc1 + fc2 + attn + fc;
        assertEquals(7552, forward);
        FlopCount.Flops f = FlopCount.student(TINY_STUDENT, 5);
        assertEquals(7552, f.forward());
        assertEquals(2 * 7552 - 960, f.backward()); // no input gradient for the stem: its weight gradient only
        assertEquals(7552 + 14144, f.total());
        assertEquals(7552, FlopCount.inference(TINY_STUDENT, 5));
    }

    @Test
    void tinyTeacherAndClassifierByHand() {
        double encoder = 2 * 5 * 6 * 12 + 2 * 5 * 6 * 18 + 2 * 5 * 3 * 18; // 720 + 1080 + 540
        double lstm = 2 * (2 * 5 * 8 * 3 + 4 * (2 * 1 * 8 * 2));            // 2 directions × (input 240 + 4 recurrent steps × 32)
        double head = 2 * 5 * 4 * 4 + 2 * 5 * 1 * 4 + 2 * 1 * 5 * 8;         // attention 160 + 40, fc 80
        assertEquals(3356, encoder + lstm + head);
        assertEquals(3356, FlopCount.teacherForward(TINY_TEACHER, 5));
        FlopCount.Flops c = FlopCount.classifier(7, 6);
        assertEquals(2 * 7 * 6, c.forward());
        assertEquals(2 * 2 * 7 * 6, c.backward());
        // a training step of the tiny student against a tiny teacher with embedding 6
        TeacherConfig t6 = new TeacherConfig(4, 6, 3, 2, 1, 6, 0f, 0f);
        assertEquals(7552 + 14144 + (3356 - 80 + 2 * 6 * 8) + 84 + 168, FlopCount.trainStep(TINY_STUDENT, t6, 7, 5));
    }

    @Test
    void countsMatchTheGemmsTheModelsRecord() {
        int batch = 3, frames = 7;
        Student s = new Student(TINY_STUDENT);
        Pass p = s.plan(batch, frames, Mode.TRAIN, 1, Scalar.ofInt("step", 0));
        assertEquals(batch * FlopCount.student(TINY_STUDENT, frames).forward(), gemmFlops(s, p, true));
        assertEquals(batch * FlopCount.student(TINY_STUDENT, frames).backward(), gemmFlops(s, p, false));
        TeacherConfig two = new TeacherConfig(4, 6, 3, 2, 2, 5, 0f, 0f); // two LSTM layers: the second reads 2H
        Teacher t = new Teacher(two);
        Pass tp = t.plan(batch, frames, Mode.EVAL, 1, Scalar.ofInt("step", 0));
        assertEquals(batch * FlopCount.teacherForward(two, frames), gemmFlops(t, tp, true));
    }

    @Test
    void standardModelsHaveTheExpectedMagnitudes() {
        double student = FlopCount.student(StudentConfig.v2(), 200).total(), teacher = FlopCount.teacherForward(TeacherConfig.standard(), 200);
        assertEquals(2_913_435_648d, student); // ≈ 2.9 GFLOP per sample, forward (977,289,216) + backward
        assertEquals(1_190_273_024d, teacher); // ≈ 1.2 GFLOP per sample, forward
        assertEquals(student + teacher + 3 * 2.0 * 1000 * 512, FlopCount.trainStep(StudentConfig.v2(), TeacherConfig.standard(), 1000, 200));
    }

    /** 2·M·N·K·batch summed over the SGEMM launches a model's forward or backward records. */
    static double gemmFlops(SpeakerModel m, Pass p, boolean forward) {
        TaskGraph g = new TaskGraph("count");
        if (forward) m.forward(g, p);
        else m.backward(g, p);
        ImmutableTaskGraph snap = g.snapshot();
        double sum = 0;
        for (Task task : snap.tasks()) {
            if (task.kernel() != Blas.SGEMM) continue;
            Object[] a = task.args();
            sum += 2.0 * (Integer) a[5] * (Integer) a[6] * (Integer) a[7] * (Integer) a[11];
        }
        return sum;
    }
}
