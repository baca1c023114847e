package org.voxkd.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Backend;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Scoring;
import org.voxkd.nn.NamedTensors;

class OnnxParityTest {
    static double maxAbsUnit(float[][] a, float[][] b) {
        Scoring.normalise(a);
        Scoring.normalise(b);
        double m = 0;
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
        return m;
    }

    static double parity(RandomModels.Weighted w, List<float[]> crops) throws Exception {
        var tensors = NamedTensors.unpack(w.model().parameters(), w.weights()[0], w.weights()[1]);
        byte[] onnx = OnnxModels.graph(w.model(), tensors, new Arithmetic.Fp32()).model("t", java.util.Map.of()).toByteArray();
        float[][] mine, ort;
        try (Backend b = new CpuBackend(); Embedder e = new Embedder(w.model(), b, w.weights()[0], w.weights()[1])) {
            mine = e.embed(crops);
        }
        try (OrtModel m = new OrtModel(onnx, "test", 2)) {
            ort = m.embed(crops);
        }
        return maxAbsUnit(mine, ort);
    }

    @Test
    void quick() throws Exception {
        double s = parity(RandomModels.student(RandomModels.smallStudent(), 3), RandomModels.crops(3, 37, 80, 1));
        double t = parity(RandomModels.teacher(RandomModels.smallTeacher(), 3), RandomModels.crops(3, 37, 80, 1));
        System.out.println("student " + s + " teacher " + t);
        assertTrue(s < 1e-4 && t < 1e-4);
    }
}
