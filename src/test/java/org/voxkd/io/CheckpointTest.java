package org.voxkd.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.nn.NamedTensors;

/**
 * The checkpoint format: a round trip keeps every bit; every malformed file — truncated anywhere, any flipped byte,
 * an older format, a header declaring huge tensors (with a valid checksum), a NaN tensor — is one IOException naming
 * the file, never an unchecked exception or an allocation the file cannot back.
 */
class CheckpointTest {
    @TempDir Path dir;
    Path file;
    final Map<String, NamedTensors.Tensor> tensors = new LinkedHashMap<>();
    ObjectNode meta;

    @BeforeEach
    void write() throws IOException {
        Random r = new Random(3);
        float[] a = new float[6 * 5], b = new float[7];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        tensors.put("layer.weight", new NamedTensors.Tensor(new int[] {6, 5}, a));
        tensors.put("layer.bias", new NamedTensors.Tensor(new int[] {7}, b));
        meta = Checkpoint.JSON.createObjectNode();
        meta.put("kind", "test");
        meta.putObject("provenance").put("epoch", 3);
        file = dir.resolve("model.ckpt");
        Checkpoint.save(file, meta, tensors);
    }

    static void assertNamesFile(IOException e, Path f, String... words) {
        assertTrue(e.getMessage().startsWith(f.toString() + ":") || e.getMessage().contains(f.toString()), e.getMessage());
        for (String w : words) assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
    }

    @Test
    void roundTripKeepsEveryBit() throws IOException {
        Checkpoint.Contents c = Checkpoint.load(file);
        assertEquals(meta, c.meta());
        assertEquals(tensors.keySet(), c.tensors().keySet());
        for (String k : tensors.keySet()) {
            assertArrayEquals(tensors.get(k).shape(), c.tensors().get(k).shape());
            assertArrayEquals(tensors.get(k).data(), c.tensors().get(k).data());
        }
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(new String(bytes, 0, 19, StandardCharsets.US_ASCII).equals("VOXKD-CHECKPOINT 2\n"));
    }

    @Test
    void everyFlippedByteIsDetected() throws IOException {
        byte[] good = Files.readAllBytes(file);
        Path bad = dir.resolve("flipped.ckpt");
        for (int pos = 0; pos < good.length; pos++) {
            byte[] b = good.clone();
            b[pos] ^= (byte) (1 << (pos % 8));
            Files.write(bad, b);
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(bad), "flipped byte " + pos + " went unnoticed");
            assertNamesFile(e, bad);
        }
    }

    @Test
    void everyTruncationIsAnError() throws IOException {
        byte[] good = Files.readAllBytes(file);
        Path bad = dir.resolve("short.ckpt");
        for (int len = 0; len < good.length; len++) {
            Files.write(bad, Arrays.copyOf(good, len));
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(bad), "truncated to " + len);
            assertNamesFile(e, bad);
        }
        Files.write(bad, Arrays.copyOf(good, good.length + 5)); // trailing bytes break the checksum too
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(bad)), bad, "checksum");
    }

    /** A file written with a valid checksum around a hand-made header and body: the checks after the checksum. */
    Path forged(String name, String header, byte[] body) throws IOException {
        byte[] head = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(Checkpoint.MAGIC.length + 4 + head.length + body.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(Checkpoint.MAGIC).putInt(head.length).put(head).put(body);
        byte[] all = bb.array();
        try {
            byte[] sum = MessageDigest.getInstance("SHA-256").digest(all);
            Path f = dir.resolve(name);
            Files.write(f, all);
            Files.write(f, sum, java.nio.file.StandardOpenOption.APPEND);
            return f;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void headersThatLieAreRefusedBeforeAllocating() throws IOException {
        byte[] four = new byte[16];
        Path huge = forged("huge.ckpt", "{\"meta\":{},\"tensors\":[{\"name\":\"w\",\"shape\":[2000000000,2000000000]}]}", four);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(huge)), huge, "more values than the file holds");
        Path neg = forged("neg.ckpt", "{\"meta\":{},\"tensors\":[{\"name\":\"w\",\"shape\":[-4]}]}", four);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(neg)), neg, "invalid dimension");
        Path fewer = forged("fewer.ckpt", "{\"meta\":{},\"tensors\":[{\"name\":\"w\",\"shape\":[2]}]}", four);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(fewer)), fewer, "declares 8 bytes");
        Path noTable = forged("notable.ckpt", "{\"meta\":{}}", new byte[0]);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(noTable)), noTable, "'tensors' table");
        Path notJson = forged("notjson.ckpt", "{\"meta\":", new byte[0]);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(notJson)), notJson, "corrupt checkpoint header");
        Path twice = forged("twice.ckpt", "{\"meta\":{},\"tensors\":[{\"name\":\"w\",\"shape\":[2]},{\"name\":\"w\",\"shape\":[2]}]}", four);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(twice)), twice, "appears twice");
        // a header length beyond the file
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(Checkpoint.MAGIC.length, Integer.MAX_VALUE);
        Path len = dir.resolve("len.ckpt");
        Files.write(len, b);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(len)), len);
    }

    @Test
    void nonFiniteTensorsAreRefused() throws IOException {
        byte[] body = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(Float.NaN).array();
        Path nan = forged("nan.ckpt", "{\"meta\":{},\"tensors\":[{\"name\":\"layer.w\",\"shape\":[2]}]}", body);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(nan)), nan, "layer.w", "NaN", "index 1");
        body = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NEGATIVE_INFINITY).putFloat(0f).array();
        Path inf = forged("inf.ckpt", "{\"meta\":{},\"tensors\":[{\"name\":\"layer.w\",\"shape\":[2]}]}", body);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(inf)), inf, "Infinity");
    }

    @Test
    void otherFormatsAreNamed() throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[17] = '1';
        Path v1 = dir.resolve("v1.ckpt");
        Files.write(v1, b);
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(v1)), v1, "format '1'", "re-create");
        Path text = dir.resolve("notes.ckpt");
        Files.writeString(text, "hello");
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(text)), text, "not a voxkd checkpoint");
        assertNamesFile(assertThrows(IOException.class, () -> Checkpoint.load(dir.resolve("none.ckpt"))), dir.resolve("none.ckpt"), "no such");
    }
}
