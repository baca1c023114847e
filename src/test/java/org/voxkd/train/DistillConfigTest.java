package org.voxkd.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.voxkd.distill.AlphaSchedule;
import org.voxkd.distill.Methods;
import org.voxkd.distill.Terms;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/** The distill section of a configuration: schedules, terms, teachers — and the errors that name what is wrong. */
class DistillConfigTest {
    static final String BASE = "data: {train_list: unused.txt}\n";

    static TrainConfig parse(String yaml) throws IOException {
        return TrainConfig.parse(BASE + yaml);
    }

    static String error(String yaml) {
        return assertThrows(IOException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void theSeedsCurriculumPhasesFollowTheEpochs() {
        AlphaSchedule p = new AlphaSchedule("piecewise", List.of(0.4, 0.8, 1.0), List.of(0.5, 0.7, 0.5));
        for (int e = 0; e < 100; e++) assertEquals(e < 40 ? 0.5 : e < 80 ? 0.7 : 0.5, p.alpha(e, 100), "epoch " + (e + 1));
        assertEquals(0.58, p.mean(100), 1e-12);
        AlphaSchedule l = new AlphaSchedule("linear", null, List.of(0.9, 0.5));
        assertEquals(0.9, l.alpha(0, 5), 1e-12);
        assertEquals(0.7, l.alpha(2, 5), 1e-12);
        assertEquals(0.5, l.alpha(4, 5), 1e-12);
        assertEquals("piecewise 0.5→0.7→0.5", p.describe());
    }

    @Test
    void aResolvedConfigurationResolvesToItself() throws IOException {
        TrainConfig c = parse("teacher: {checkpoint: t.ckpt}\noptim: {epochs: 10}\nloss: {distillation: cosine}\n"
                + "distill: {alpha_schedule: {kind: piecewise, until: [0.4, 0.8, 1.0], values: [0.5, 0.7, 0.5]},"
                + " terms: {stages: {weight: 0.2, pairs: {student.block2.out: teacher.lstm1.out}}}}\n");
        assertEquals(0.58f, c.loss().alpha(), 1e-6, "the α column of a curriculum shows its mean");
        assertEquals("cosine", c.distill().terms().get("stages").get("loss").asText(), "defaults are written out");
        assertEquals("frame", c.distill().terms().get("stages").get("align").asText());
        TrainConfig again = TrainConfig.fromTree(c.toTree(), java.nio.file.Path.of("again.yaml"));
        assertEquals(c.toTree(), again.toTree());
        assertEquals("cosine α piecewise 0.5→0.7→0.5 + stages 0.2 (loss cosine, align frame, 1 pairs)", Methods.describe(c.loss(), c.distill(), c.teacherRefs().size()));
    }

    @Test
    void badDistillationConfigurationsNameWhatIsWrong() {
        assertTrue(error("teacher: {checkpoint: t.ckpt}\ndistill: {terms: {attention: {weight: 0.3}}}\n")
                .contains("unknown term 'attention'; known: " + String.join(", ", Terms.known())));
        assertTrue(error("teacher: {checkpoint: t.ckpt}\nloss: {distillation: cosine, alpha: 0.7}\ndistill: {terms: {relational: {weight: 0.5}}}\n")
                .contains("the distillation weights sum to 1.200 at epoch 1"));
        assertTrue(error("teacher: {checkpoint: t.ckpt}\nloss: {distillation: cosine, alpha: 0.5}\ndistill: {alpha_schedule: {kind: linear, values: [0.2, 0.9]}}\n")
                .contains("give either loss.alpha or distill.alpha_schedule"));
        assertTrue(error("distill: {terms: {label: {weight: 0.3}}}\n").contains("needs teacher.checkpoint"));
        assertTrue(error("teacher: {checkpoint: a.ckpt}\nteachers: [{checkpoint: b.ckpt}]\nloss: {distillation: cosine, alpha: 0.5}\n")
                .contains("give either teacher or teachers"));
        assertTrue(error("teacher: {checkpoint: t.ckpt}\ndistill: {terms: {stages: {weight: 0.3, pairs: {block2: teacher.lstm1.out}}}}\n")
                .contains("must map a student.TAP to a teacher.TAP"));
        assertTrue(error("teacher: {checkpoint: t.ckpt}\ndistill: {terms: {stages: {weight: 0.3, align: time, pairs: {student.block2.out: teacher.lstm1.out}}}}\n")
                .contains("align must be frame or mean"));
        assertTrue(error("teacher: {checkpoint: t.ckpt}\ndistill: {terms: {relational: {weight: 0.3, angle: true}}}\n")
                .contains("distill.terms.relational: Unrecognized field \"angle\""));
        assertTrue(error("teacher: {checkpoint: t.ckpt}\ndistill: {terms: {relational: {weight: 1.5}}}\n").contains("weight must be in (0, 1]"));
        assertTrue(error("teacher: {checkpoint: t.ckpt}\nloss: {distillation: cosine}\ndistill: {alpha_schedule: {kind: piecewise, until: [0.5, 0.9], values: [0.5, 0.7]}}\n")
                .contains("until must end at 1.0"));
        assertTrue(error("teachers: [{checkpoint: a.ckpt}, {checkpoint: b.ckpt}]\nloss: {distillation: cosine, alpha: 0.5}\ndistill: {teacher_weights: [0.5]}\n")
                .contains("one weight per teacher (2)"));
        assertTrue(error("teachers: [{checkpoint: a.ckpt}, {checkpoint: b.ckpt}]\ndistill: {terms: {label: {weight: 0.5}}}\n")
                .contains("several teachers combine into the final-embedding target"));
        assertTrue(error("optim: {clip_norm: -1}\n").contains("optim.clip_norm must be a non-negative number, got -1"));
    }

    @Test
    void tapsAreNamedLikeTheLayersOneBased() {
        Student s = new Student(new StudentConfig(10, 8, 3, 2, 2, 6, 0f));
        assertEquals(List.of("stem.out", "block1.out", "block2.out", "block3.out", "norm", "pool", "embedding"), s.taps().stream().map(t -> t.name()).toList());
        assertEquals("blocks.2.out", s.tap("block3.out").slot());
        Teacher t = new Teacher(new TeacherConfig(10, 6, 4, 3, 2, 6, 0f, 0f));
        assertEquals(List.of("encoder1.out", "encoder2.out", "encoder3.out", "lstm1.out", "lstm2.out", "ln", "pool", "embedding"),
                t.taps().stream().map(x -> x.name()).toList());
        assertEquals(4, t.tap("encoder3.out").width());
        assertEquals(6, t.tap("lstm1.out").width());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.tap("block4.out"));
        assertTrue(e.getMessage().contains("no tap 'block4.out'; taps: stem.out, block1.out"), e.getMessage());
    }

    @Test
    void aGradientCannotBeInjectedAfterTheBackwardIsRecorded() {
        Student s = new Student(new StudentConfig(10, 8, 1, 2, 2, 6, 0f));
        var p = s.plan(2, 3, org.voxkd.nn.Mode.TRAIN, 1, org.voxkd.engine.Scalar.ofInt("step", 0));
        p.injectGradient("blocks.0.out");
        s.backward(new org.voxkd.engine.TaskGraph("b"), p);
        assertThrows(IllegalStateException.class, () -> p.injectGradient("norm"));
        assertEquals(List.of("embedding", "blocks.0.out"), List.copyOf(p.injectedGradients()));
    }
}
