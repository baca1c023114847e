package org.voxkd.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.train.ModelFiles;
import org.voxkd.train.TrainConfig;

/**
 * safetensors weights between voxkd and PyTorch. The fixtures of tools/gen_safetensors_fixtures.py: a PyTorch model's
 * state dict (pt_NAME) imported into voxkd gives PyTorch's embedding; voxkd's export of it (voxkd_NAME), which PyTorch
 * loaded strictly and ran to the same embedding, is what voxkd exports today. Then round trips and strictness.
 */
class TorchStateDictTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/export");
    @TempDir Path dir;

    static JsonNode fixture(String name) throws IOException {
        return new ObjectMapper().readTree(FIXTURES.resolve(name + ".json").toFile());
    }

    static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }

    /** The fixture's model section as a YAML file for `voxkd import --config`. */
    Path modelYaml(JsonNode doc) throws IOException {
        Path yaml = dir.resolve("model.yaml");
        Files.writeString(yaml, "model: " + doc.get("config").toString() + "\n");
        return yaml;
    }

    void pytorchWeightsGiveTheSameEmbeddingInVoxkd(String name) throws Exception {
        JsonNode doc = fixture(name);
        Path ckpt = dir.resolve(name + ".ckpt");
        TorchStateDict.importCheckpoint(FIXTURES.resolve("pt_" + name + ".safetensors"), TrainConfig.loadModel(modelYaml(doc)),
                doc.get("config"), List.of(), ckpt);
        ModelFiles.Loaded m = ModelFiles.load(ckpt);
        int b = doc.get("batch").asInt(), t = doc.get("frames").asInt(), mels = doc.get("config").get("mels").asInt();
        float[] x = floats(doc.get("input")), want = floats(doc.get("embedding"));
        List<float[]> crops = new ArrayList<>();
        for (int i = 0; i < b; i++) crops.add(java.util.Arrays.copyOfRange(x, i * t * mels, (i + 1) * t * mels));
        float[][] got = Agreement.voxkd(m.model(), m.weights(), crops);
        double scale = 0, diff = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < b; i++)
            for (int j = 0; j < got[i].length; j++) diff = Math.max(diff, Math.abs(got[i][j] - want[i * got[i].length + j]));
        System.out.printf("%s: PyTorch weights in voxkd, max |Δ embedding| %.2e (scale %.2f)%n", name, diff, scale);
        assertTrue(diff <= 1e-4 * Math.max(1, scale), name + ": max |Δ| " + diff);
        // voxkd's export of these weights is, tensor for tensor, the file PyTorch loaded strictly and ran.
        assertTrue(doc.get("voxkd_export_loaded_strictly").asBoolean());
        assertEquals("pt", doc.get("voxkd_export_metadata_format").asText());
        Path mine = dir.resolve(name + ".safetensors");
        TorchStateDict.save(mine, m, ckpt);
        assertSameTensors(SafeTensors.read(FIXTURES.resolve("voxkd_" + name + ".safetensors")).tensors(), SafeTensors.read(mine).tensors());
    }

    static void assertSameTensors(Map<String, SafeTensors.Tensor> a, Map<String, SafeTensors.Tensor> b) {
        assertEquals(new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()), "names in module order");
        a.forEach((k, t) -> {
            SafeTensors.Tensor u = b.get(k);
            assertEquals(t.dtype(), u.dtype(), k);
            assertArrayEquals(t.shape(), u.shape(), k);
            if (t.floats() != null) assertArrayEquals(t.floats(), u.floats(), k);
            else assertArrayEquals(t.longs(), u.longs(), k);
        });
    }

    @Test
    void studentWeightsCrossBetweenPyTorchAndVoxkd() throws Exception {
        pytorchWeightsGiveTheSameEmbeddingInVoxkd("student");
    }

    @Test
    void teacherWeightsCrossBetweenPyTorchAndVoxkd() throws Exception {
        pytorchWeightsGiveTheSameEmbeddingInVoxkd("teacher");
    }

    @Test
    void exportThenImportIsBitIdenticalAndCountsBatchNorms() throws Exception {
        RandomModels.Weighted w = RandomModels.teacher(RandomModels.smallTeacher(), 4);
        Map<String, SafeTensors.Tensor> dict = TorchStateDict.of(w.model(), w.weights(), 42);
        assertEquals(42, dict.get("encoder.0.bn.num_batches_tracked").longs()[0]);
        assertEquals(0, dict.get("bn.num_batches_tracked").shape().length);
        assertEquals(6, dict.keySet().stream().filter(k -> k.endsWith(".num_batches_tracked")).count(), "3 encoder, 2 decoder and the embedding BatchNorm");
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, dict, Map.of("format", "pt"));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals("pt", c.metadata().get("format"));
        float[][] back = TorchStateDict.weights(w.model(), c.tensors(), f.toString());
        assertArrayEquals(w.weights()[0], back[0]);
        assertArrayEquals(w.weights()[1], back[1]);
        // The header is padded so the data starts 8-byte aligned.
        long n = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
    }

    @Test
    void importIsStrictAndNamesTheFile() throws Exception {
        RandomModels.Weighted w = RandomModels.student(RandomModels.smallStudent(), 4);
        Map<String, SafeTensors.Tensor> good = TorchStateDict.of(w.model(), w.weights(), 0);
        Map<String, SafeTensors.Tensor> missing = new LinkedHashMap<>(good), extra = new LinkedHashMap<>(good), shape = new LinkedHashMap<>(good),
                tracked = new LinkedHashMap<>(good), noTracked = new LinkedHashMap<>(good);
        missing.remove("blocks.1.fc2.bias");
        extra.put("classifier.weight", SafeTensors.Tensor.f32(new int[] {2}, new float[2]));
        SafeTensors.Tensor gp = good.get("blocks.0.gp1.weight");
        shape.put("blocks.0.gp1.weight", SafeTensors.Tensor.f32(new int[] {gp.shape()[0], gp.shape()[1]}, gp.floats())); // [O, I] for [O, I, 1]
        tracked.put("stem_bn.num_batches_tracked", SafeTensors.Tensor.f32(new int[0], new float[1]));
        noTracked.keySet().removeIf(k -> k.endsWith(".num_batches_tracked"));
        assertArrayEquals(w.weights()[0], TorchStateDict.weights(w.model(), noTracked, "f")[0], "num_batches_tracked may be absent");
        for (var c : List.of(Map.entry(missing, "missing tensors: [blocks.1.fc2.bias]"), Map.entry(extra, "unexpected tensors: [classifier.weight]"),
                Map.entry(shape, "blocks.0.gp1.weight: expected shape [96, 8, 1], found [96, 8]"),
                Map.entry(tracked, "stem_bn.num_batches_tracked: expected an int64 scalar"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchStateDict.weights(w.model(), c.getKey(), "weights.safetensors"));
            assertTrue(e.getMessage().startsWith("weights.safetensors does not match the student model"), e.getMessage());
            assertTrue(e.getMessage().contains(c.getValue()), e.getMessage());
        }
    }

    @Test
    void malformedFilesAreClearErrors() throws Exception {
        Path f = dir.resolve("x.safetensors");
        SafeTensors.write(f, Map.of("a", SafeTensors.Tensor.f32(new int[] {2, 3}, new float[6])), Map.of());
        byte[] ok = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(ok, ok.length - 4));
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("x.safetensors: tensor a: data_offsets [0, 24] outside the 20 data bytes"), e.getMessage());
        Files.write(f, java.util.Arrays.copyOf(ok, ok.length + 4));
        e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("4 bytes after the last tensor"), e.getMessage());
        Files.write(f, new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("not a safetensors file (header length 255"), e.getMessage());
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length() + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length()).put(h.getBytes());
        Files.write(f, bb.array());
        e = assertThrows(IOException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("tensor a: F32 [2] needs 8 bytes, data_offsets give 4"), e.getMessage());
        // float16 and bfloat16 tensors are read as float32.
        String h2 = "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]}}";
        bb = ByteBuffer.allocate(8 + h2.length() + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(h2.length()).put(h2.getBytes())
                .putShort(Float.floatToFloat16(1.5f)).putShort((short) (Float.floatToIntBits(-2.25f) >>> 16));
        Files.write(f, bb.array());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new float[] {1.5f}, c.tensors().get("h").floats());
        assertArrayEquals(new float[] {-2.25f}, c.tensors().get("b").floats());
    }
}
