package org.voxkd.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Philox;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/**
 * Scoring embeds the crops of many utterances in one call ({@link UtteranceEmbeddings#unitCropsBatched}); in inference
 * each crop's embedding is its own, so the batched embeddings are the per-utterance ones — bit for bit in portable
 * numerics (whose GEMM does not depend on the row count), within float tolerance in fast numerics — with utterances of
 * other crop lengths and more crops than a batch kept apart, and errors still naming the utterance.
 */
class BatchedEmbeddingsTest {
    private static List<float[]> crops(int n, int frames, long stream) {
        Philox.Stream r = new Philox.Stream(5, stream);
        List<float[]> out = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            float[] f = new float[frames * 80];
            for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian();
            out.add(f);
        }
        return out;
    }

    /** Utterances of 2, 3, 1 crops of 30 frames, 2 of 45, 70 of 30 (more than a batch), 2 of 30. */
    private static List<List<float[]>> utterances() {
        int[][] shape = {{2, 30}, {3, 30}, {1, 30}, {2, 45}, {70, 30}, {2, 30}};
        List<List<float[]>> u = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) u.add(crops(shape[i][0], shape[i][1], i));
        return u;
    }

    private static void check(SpeakerModel model, Numerics numerics, double tolerance) {
        ParameterSet ps = model.parameters();
        List<List<float[]>> feats = utterances();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < feats.size(); i++) names.add("utt" + i + ".wav");
        int[] calls = {0};
        try (Embedder e = new Embedder(model, new CpuBackend(numerics), ps.initialValues(3, true), ps.initialValues(3, false))) {
            CropEmbedder counting = c -> {
                calls[0]++;
                return e.embed(c);
            };
            float[][][] batched = UtteranceEmbeddings.unitCropsBatched(counting, feats, names);
            assertEquals(4, calls[0], "calls: utterances 0-2 together, 3 alone (45 frames), 4 alone (70 crops), 5 alone (would overfill 4's)");
            for (int i = 0; i < feats.size(); i++) {
                float[][] one = UtteranceEmbeddings.unitCrops(e, feats.get(i), names.get(i));
                assertEquals(one.length, batched[i].length, "crop count of utterance " + i);
                for (int c = 0; c < one.length; c++) {
                    if (tolerance == 0) assertArrayEquals(one[c], batched[i][c], numerics + ": utterance " + i + " crop " + c);
                    else assertArrayEquals(one[c], batched[i][c], (float) tolerance, numerics + ": utterance " + i + " crop " + c);
                }
            }
        }
    }

    @Test
    void batchedEmbeddingsAreThePerUtteranceOnes() {
        Student student = new Student(new StudentConfig(80, 32, 2, 3, 4, 48, 0.1f));
        Teacher teacher = new Teacher(new TeacherConfig(80, 24, 16, 20, 2, 40, 0.2f, 0.3f));
        for (SpeakerModel m : new SpeakerModel[] {student, teacher}) {
            check(m, Numerics.PORTABLE, 0);
            check(m, Numerics.FAST, 1e-5);
        }
    }

    @Test
    void aNonFiniteEmbeddingNamesItsUtterance() {
        List<List<float[]>> feats = List.of(crops(2, 20, 1), crops(2, 20, 2));
        CropEmbedder broken = c -> {
            float[][] e = new float[c.size()][4];
            for (float[] row : e) java.util.Arrays.fill(row, 1f);
            e[3][2] = Float.NaN; // the second crop of the second utterance
            return e;
        };
        IllegalStateException x = assertThrows(IllegalStateException.class,
                () -> UtteranceEmbeddings.unitCropsBatched(broken, feats, List.of("a.wav", "b.wav")));
        assertTrue(x.getMessage().startsWith("b.wav: its embedding (crop 2 of 2) holds NaN"), x.getMessage());
    }
}
