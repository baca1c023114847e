package org.voxkd.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.voxkd.data.SynthVox;
import org.voxkd.train.ModelFiles;

/**
 * The fp16, int8-static and int8-dynamic exports load in ONNX Runtime and stay close to the float32 export, on a
 * briefly trained student (calibrated on its own training list) and on a reduced teacher, with SynthVox crops.
 * Bounds (min cosine to float32 over the crops) are set below what was measured (see the printed figures).
 */
class QuantizationTest {
    static final Map<Variant, Double> MIN_COSINE = Map.of(Variant.FP16, 0.99999, Variant.INT8_STATIC, 0.995, Variant.INT8_DYNAMIC, 0.995);

    static void check(String what, ModelFiles.Loaded m, Path file, OnnxExport.Calibrator cal) throws Exception {
        List<float[]> crops = OnnxParityTest.synthVoxCrops(4, 2, 150);
        Map<Variant, Integer> sizes = new EnumMap<>(Variant.class);
        float[][] fp32 = null;
        for (Variant v : Variant.values()) {
            byte[] onnx = OnnxExport.build(m, file, v, cal).toByteArray();
            sizes.put(v, onnx.length);
            try (OrtModel ort = new OrtModel(onnx, what + " " + v.label, 2)) {
                float[][] e = ort.embed(crops);
                if (v == Variant.FP32) fp32 = e;
                else {
                    Agreement a = Agreement.of(fp32, e);
                    System.out.printf("%s %s: %,d bytes (%.2f of fp32), against fp32: %s%n", what, v.label, onnx.length,
                            onnx.length / (double) sizes.get(Variant.FP32), a);
                    assertTrue(a.minCosine() >= MIN_COSINE.get(v), what + " " + v.label + ": " + a);
                }
            }
        }
        assertTrue(sizes.get(Variant.FP16) < 0.6 * sizes.get(Variant.FP32), "fp16 size " + sizes);
        assertTrue(sizes.get(Variant.INT8_STATIC) < 0.5 * sizes.get(Variant.FP32), "int8-static size " + sizes);
        assertTrue(sizes.get(Variant.INT8_DYNAMIC) < 0.5 * sizes.get(Variant.FP32), "int8-dynamic size " + sizes);
    }

    static OnnxExport.Calibrator calibrator(int crops) {
        SynthVox.Manifest c = TrainedStudent.corpus();
        return new OnnxExport.Calibrator(c.trainList(), c.wavRoot(), crops, 120, 1);
    }

    @Test
    void trainedStudentVariantsStayCloseToFloat32() throws Exception {
        Path ckpt = TrainedStudent.checkpoint();
        check("trained student H32", ModelFiles.load(ckpt), ckpt, calibrator(48));
    }

    @Test
    void teacherVariantsStayCloseToFloat32(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        RandomModels.Weighted w = RandomModels.teacher(RandomModels.smallTeacher(), 8);
        var cfg = org.voxkd.train.TrainConfig.parse("model: {kind: teacher, channels: 24, latent: 16, lstm_hidden: 20, embedding: 40}\n"
                + "data: {train_list: unused.txt}\n");
        Path ckpt = dir.resolve("t.ckpt");
        ModelFiles.save(ckpt, cfg, w.model(), w.weights(), List.of(), new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode());
        check("teacher (random weights)", ModelFiles.load(ckpt), ckpt, calibrator(32));
    }

    @Test
    void staticQuantizationIsDeterministicAndUsesTheStatedCrops() throws Exception {
        OnnxExport.Calibrator cal = calibrator(20);
        List<float[]> a = Calibration.trainingCrops(cal.trainList(), cal.root(), 20, 120, 1), b = Calibration.trainingCrops(cal.trainList(), cal.root(), 20, 120, 1);
        List<float[]> other = Calibration.trainingCrops(cal.trainList(), cal.root(), 20, 120, 2);
        assertEquals(20, a.size());
        assertEquals(120 * 80, a.get(0).length);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));
        assertFalse(java.util.Arrays.equals(a.get(0), other.get(0)), "another seed draws other crops");
        Path ckpt = TrainedStudent.checkpoint();
        ModelFiles.Loaded m = ModelFiles.load(ckpt);
        assertArrayEquals(OnnxExport.build(m, ckpt, Variant.INT8_STATIC, cal).toByteArray(), OnnxExport.build(m, ckpt, Variant.INT8_STATIC, cal).toByteArray(),
                "the same calibration gives the same file");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.build(m, ckpt, Variant.INT8_STATIC, null));
        assertTrue(e.getMessage().contains("calibration"), e.getMessage());
    }

    @Test
    void quantizationArithmetic() {
        // Per output channel (axis 0), 7-bit symmetric: channel 0 spans ±1, channel 1 ±0.25.
        Quantized.Int8 q = Quantized.perChannel(new float[] {1, -0.5f, 0.25f, 0}, new int[] {2, 2}, 0);
        assertArrayEquals(new float[] {1 / 63f, 0.25f / 63}, q.scales());
        assertArrayEquals(new byte[] {63, -31, 63, 0}, q.values()); // Math.round(−31.5) = −31
        // Per column (axis 1) of a [2, 2] MatMul weight.
        assertArrayEquals(new float[] {1 / 63f, 0.5f / 63}, Quantized.perChannel(new float[] {1, -0.5f, 0.25f, 0}, new int[] {2, 2}, 1).scales());
        // uint8 activations over a range widened to include 0.
        assertArrayEquals(new float[] {4 / 255f, 64}, Quantized.uint8Params(-1, 3));
        assertArrayEquals(new float[] {2 / 255f, 0}, Quantized.uint8Params(0.5f, 2));
        assertArrayEquals(new float[] {1, 0}, Quantized.uint8Params(0, 0));
        assertThrows(IllegalArgumentException.class, () -> Quantized.uint8Params(Float.NaN, 1));
        assertEquals(Variant.INT8_DYNAMIC, Variant.of("int8-dynamic"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Variant.of("int4"));
        assertTrue(e.getMessage().contains("int8-static"), e.getMessage());
    }
}
