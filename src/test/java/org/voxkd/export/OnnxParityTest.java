package org.voxkd.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.data.DatasetHash;
import org.voxkd.data.EvalLoader;
import org.voxkd.data.Lists;
import org.voxkd.data.SmokeCorpus;
import org.voxkd.data.SynthVox;
import org.voxkd.ledger.Version;
import org.voxkd.nn.NamedTensors;
import org.voxkd.nn.StudentConfig;
import org.voxkd.train.ModelFiles;
import org.voxkd.train.TrainConfig;

/**
 * Exported float32 ONNX models under ONNX Runtime against voxkd's own inference: embeddings equal within 1e-4
 * (max abs, after L2 normalisation) for reduced V2-, large- and teacher-shaped models with the real layer structure
 * (grouped pointwise, depthwise + BN, MFM, attentive pooling, BiLSTM 2 layers) and a paper-shape V2, on random
 * features at two frame lengths (one session: the batch and frame axes are dynamic) and on SynthVox utterances.
 */
class OnnxParityTest {
    static final double TOLERANCE = 1e-4;

    static byte[] fp32(RandomModels.Weighted w) {
        var tensors = NamedTensors.unpack(w.model().parameters(), w.weights()[0], w.weights()[1]);
        return OnnxModels.graph(w.model(), tensors, new Arithmetic.Fp32()).model("test", Map.of()).toByteArray();
    }

    /** Crops of SynthVox test utterances, as voxkd's evaluation makes them. */
    static List<float[]> synthVoxCrops(int utterances, int crops, int frames) throws java.io.IOException {
        SynthVox.Manifest c = SmokeCorpus.get();
        List<String> paths = Lists.trialPaths(Lists.readTrialList(c.testTrials()));
        EvalLoader loader = new EvalLoader(c.wavRoot(), frames, crops);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < utterances; i++) out.addAll(loader.features(paths.get(i)));
        return out;
    }

    static void assertParity(String what, RandomModels.Weighted w) throws Exception {
        List<List<float[]>> inputs = List.of(Agreement.randomCrops(3, 37, 80, 11), Agreement.randomCrops(2, 200, 80, 12), synthVoxCrops(2, 3, 120));
        try (OrtModel ort = new OrtModel(fp32(w), what, 2)) {
            for (List<float[]> crops : inputs) {
                Agreement a = Agreement.of(Agreement.voxkd(w.model(), w.weights(), crops), ort.embed(crops));
                System.out.printf("%s, %d crops of %d frames: %s%n", what, crops.size(), crops.get(0).length / 80, a);
                assertTrue(a.maxAbs() < TOLERANCE, what + ", " + crops.size() + "×" + crops.get(0).length / 80 + ": " + a);
            }
        }
    }

    @Test
    void reducedStudentsAndTeacherMatchVoxkd() throws Exception {
        assertParity("V2-shaped student H32", RandomModels.student(RandomModels.smallStudent(), 3));
        assertParity("large-shaped student H48", RandomModels.student(RandomModels.smallLarge(), 4));
        assertParity("teacher", RandomModels.teacher(RandomModels.smallTeacher(), 5));
    }

    @Test
    void paperShapeV2MatchesVoxkd() throws Exception {
        RandomModels.Weighted w = RandomModels.student(StudentConfig.v2(), 6);
        List<float[]> crops = Agreement.randomCrops(2, 64, 80, 13);
        try (OrtModel ort = new OrtModel(fp32(w), "V2", 2)) {
            Agreement a = Agreement.of(Agreement.voxkd(w.model(), w.weights(), crops), ort.embed(crops));
            System.out.println("paper-shape V2 (2,664,576 parameters), 2 crops of 64 frames: " + a);
            assertTrue(a.maxAbs() < TOLERANCE, a.toString());
        }
    }

    @Test
    void gateBlocksAreReorderedToOnnxOrder() {
        // PyTorch blocks i, f, g, o (values 0..3 per block of h = 2 rows of 1 column) → ONNX i, o, f, c.
        float[] torch = {0, 0, 1, 1, 2, 2, 3, 3}, onnx = new float[8];
        OnnxModels.reorderGates(torch, onnx, 0, 2, 1);
        assertArrayEquals(new float[] {0, 0, 3, 3, 1, 1, 2, 2}, onnx);
    }

    @Test
    void metadataCarriesTheCheckpointsProvenance(@TempDir Path dir) throws Exception {
        TrainConfig cfg = TrainConfig.parse("model: {kind: student, hidden: 16, blocks: 1, expansion: 2, groups: 2, embedding: 8}\n"
                + "data: {train_list: unused.txt}\n");
        RandomModels.Weighted w = RandomModels.of(cfg.buildModel(), 2);
        ObjectNode prov = new ObjectMapper().createObjectNode().put("data_hash", "d41d8").put("step", 12).put("code_fingerprint", "f00d");
        Path ckpt = dir.resolve("m.ckpt");
        ModelFiles.save(ckpt, cfg, w.model(), w.weights(), List.of("a", "b"), prov);
        ModelFiles.Loaded m = ModelFiles.load(ckpt);
        byte[] onnx = OnnxExport.build(m, ckpt, Variant.FP32, null).toByteArray();
        try (OrtModel ort = new OrtModel(onnx, "m", 1)) {
            Map<String, String> meta = ort.metadata();
            assertEquals("f00d", meta.get("provenance.code_fingerprint"));
            assertEquals("d41d8", meta.get("provenance.data_hash"));
            assertEquals("12", meta.get("provenance.step"));
            assertEquals("student", meta.get("voxkd.model_kind"));
            assertEquals("fp32", meta.get("voxkd.variant"));
            assertEquals(DatasetHash.sha256(ckpt), meta.get("voxkd.checkpoint_sha256"));
            assertEquals(new ObjectMapper().readTree(cfg.toTree().toString()), new ObjectMapper().readTree(meta.get("voxkd.config")));
            assertEquals(Version.version(), meta.get("voxkd.version"));
            // The batch and frame axes are named (dynamic); the mel axis is fixed at 80.
            assertArrayEquals(new long[] {-1, 80, -1}, ort.inputShape());
        }
    }
}
