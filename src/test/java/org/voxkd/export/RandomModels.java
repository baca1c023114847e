package org.voxkd.export;

import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Philox;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/**
 * Models with fixed random weights for the export tests: PyTorch's default initialisation, then every
 * BatchNorm/LayerNorm affine and running statistic moved away from 1/0 (so a fold or a layout mistake shows).
 */
final class RandomModels {
    private RandomModels() {}

    /** A model and its {params, state}. */
    record Weighted(SpeakerModel model, float[][] weights) {}

    /** Reduced V2 structure: H32 N2 E3 G4 (grouped pointwise, depthwise + BN, MFM, attentive pooling). */
    static StudentConfig smallStudent() { return new StudentConfig(80, 32, 2, 3, 4, 48, 0.1f); }

    /** Reduced large structure: H48 N3 E4 G4. */
    static StudentConfig smallLarge() { return new StudentConfig(80, 48, 3, 4, 4, 64, 0.1f); }

    /** Reduced teacher: the real layer structure (3 encoder convs, BiLSTM 2 layers) at small widths. */
    static TeacherConfig smallTeacher() { return new TeacherConfig(80, 24, 16, 20, 2, 40, 0.2f, 0.3f); }

    static Weighted of(SpeakerModel m, long seed) {
        ParameterSet ps = m.parameters();
        float[] p = ps.initialValues(seed, true), s = ps.initialValues(seed, false);
        Philox.Stream r = new Philox.Stream(seed, 77);
        for (ParameterSet.Entry e : ps.entries()) {
            boolean norm = e.name().matches(".*(bn|ln\\d?|norm)\\.(weight|bias)") || e.name().startsWith("stem_bn.");
            float[] dst = e.trainable() ? p : s;
            for (int i = 0; i < e.size(); i++) {
                double u = r.nextDouble();
                if (e.name().endsWith("running_mean")) dst[e.offset() + i] = (float) (0.4 * u - 0.2);
                else if (e.name().endsWith("running_var")) dst[e.offset() + i] = (float) (0.5 + 1.5 * u);
                else if (norm && e.name().endsWith(".weight")) dst[e.offset() + i] = (float) (0.5 + u);
                else if (norm && e.name().endsWith(".bias")) dst[e.offset() + i] = (float) (0.6 * u - 0.3);
            }
        }
        return new Weighted(m, new float[][] {p, s});
    }

    static Weighted student(StudentConfig c, long seed) { return of(new Student(c), seed); }

    static Weighted teacher(TeacherConfig c, long seed) { return of(new Teacher(c), seed); }
}
