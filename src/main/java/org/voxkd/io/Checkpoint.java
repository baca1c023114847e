package org.voxkd.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.voxkd.nn.NamedTensors;

/**
 * voxkd's checkpoint file (format 2): the magic line {@code VOXKD-CHECKPOINT 2\n}, the header length (int32),
 * a JSON header (provenance: configuration, data hash, commit, epoch, metrics; and the tensor table of names and
 * shapes), every tensor's float32 values little-endian in table order, then the SHA-256 of all the bytes before it.
 * Written atomically. Any trained artefact carries what made it (Tribuo-style provenance).
 *
 * <p>Reading is strict and checks before it allocates: the checksum over the whole file first (a flipped byte or
 * a truncation is detected before anything is interpreted), then the header's table against the file's size,
 * then every value (NaN or infinity is an error naming the tensor). Every problem is one {@link IOException}
 * naming the file.
 */
public final class Checkpoint {
    static final int VERSION = 2;
    static final byte[] MAGIC = ("VOXKD-CHECKPOINT " + VERSION + "\n").getBytes(StandardCharsets.US_ASCII);
    static final byte[] MAGIC_PREFIX = "VOXKD-CHECKPOINT ".getBytes(StandardCharsets.US_ASCII);
    static final int CHECKSUM_BYTES = 32, MAX_HEADER = 64 << 20;
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** What a checkpoint holds. */
    public record Contents(ObjectNode meta, Map<String, NamedTensors.Tensor> tensors) {}

    private Checkpoint() {}

    public static void save(Path path, ObjectNode meta, Map<String, NamedTensors.Tensor> tensors) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.set("meta", meta);
        ArrayNode table = header.putArray("tensors");
        for (var e : tensors.entrySet()) {
            ObjectNode t = table.addObject();
            t.put("name", e.getKey());
            ArrayNode shape = t.putArray("shape");
            for (int d : e.getValue().shape()) shape.add(d);
        }
        byte[] head = JSON.writeValueAsBytes(header);
        MessageDigest sha = sha256();
        AtomicFiles.write(path, out -> {
            java.security.DigestOutputStream d = new java.security.DigestOutputStream(out, sha);
            d.write(MAGIC);
            d.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(head.length).array());
            d.write(head);
            for (NamedTensors.Tensor t : tensors.values()) {
                ByteBuffer bb = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(t.data());
                d.write(bb.array());
            }
            d.flush();
            out.write(sha.digest());
        });
    }

    public static Contents load(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new IOException(path + ": no such checkpoint file");
        long size = Files.size(path);
        long fixed = MAGIC.length + 4L + CHECKSUM_BYTES;
        try {
            byte[] magic = new byte[MAGIC.length];
            try (InputStream in = Files.newInputStream(path)) {
                int n = in.readNBytes(magic, 0, magic.length);
                if (n < MAGIC_PREFIX.length || !Arrays.equals(Arrays.copyOf(magic, MAGIC_PREFIX.length), MAGIC_PREFIX))
                    throw new IOException(path + ": not a voxkd checkpoint (bad magic)");
                if (n < MAGIC.length) throw new IOException(path + ": truncated checkpoint (" + size + " bytes)");
                if (!Arrays.equals(magic, MAGIC)) {
                    String v = new String(magic, MAGIC_PREFIX.length, Math.max(0, n - MAGIC_PREFIX.length), StandardCharsets.US_ASCII).strip();
                    throw new IOException(path + ": checkpoint format '" + printable(v) + "', but this voxkd reads format " + VERSION
                            + (v.equals("1") ? " (format 1 had no checksum: re-create the checkpoint with this version)" : ""));
                }
            }
            if (size < fixed) throw new IOException(path + ": truncated checkpoint (" + size + " bytes)");
            verifyChecksum(path, size);
            try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
                in.readFully(new byte[MAGIC.length]);
                byte[] len = new byte[4];
                in.readFully(len);
                int n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (n <= 0 || n > MAX_HEADER || n > size - fixed) throw new IOException(path + ": corrupt checkpoint header length " + n);
                byte[] head = new byte[n];
                in.readFully(head);
                JsonNode header;
                try {
                    header = JSON.readTree(head);
                } catch (JsonProcessingException e) {
                    throw new IOException(path + ": corrupt checkpoint header (" + e.getOriginalMessage() + ")", e);
                }
                if (header == null || !header.path("meta").isObject() || !header.path("tensors").isArray())
                    throw new IOException(path + ": checkpoint header lacks its 'meta' mapping or 'tensors' table");
                String[] names = new String[header.get("tensors").size()];
                int[][] shapes = new int[names.length][];
                long total = 0, available = (size - fixed - n) / 4;
                for (int i = 0; i < names.length; i++) {
                    JsonNode t = header.get("tensors").get(i);
                    if (!t.path("name").isTextual() || !t.path("shape").isArray())
                        throw new IOException(path + ": tensor " + i + " of the checkpoint table has no name or shape");
                    names[i] = t.get("name").asText();
                    shapes[i] = new int[t.get("shape").size()];
                    long count = 1;
                    for (int k = 0; k < shapes[i].length; k++) {
                        JsonNode d = t.get("shape").get(k);
                        if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 1)
                            throw new IOException(path + ": tensor " + names[i] + " has an invalid dimension " + d);
                        shapes[i][k] = d.asInt();
                        count *= shapes[i][k];
                        if (count > available) break; // reported below, before anything is allocated
                    }
                    total += count;
                    if (count > Integer.MAX_VALUE || total > available)
                        throw new IOException(path + ": the checkpoint table declares more values than the file holds (tensor " + names[i] + ")");
                }
                if (total != available || (size - fixed - n) % 4 != 0)
                    throw new IOException(path + ": the checkpoint table declares " + total * 4 + " bytes of tensors but the file holds " + (size - fixed - n));
                Map<String, NamedTensors.Tensor> tensors = new LinkedHashMap<>();
                for (int i = 0; i < names.length; i++) {
                    int count = 1;
                    for (int d : shapes[i]) count *= d;
                    byte[] data = new byte[count * 4];
                    in.readFully(data);
                    float[] f = new float[count];
                    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                    for (int k = 0; k < count; k++)
                        if (!Float.isFinite(f[k])) throw new IOException(path + ": tensor " + names[i] + " holds " + f[k] + " at index " + k + " (values must be finite)");
                    if (tensors.put(names[i], new NamedTensors.Tensor(shapes[i], f)) != null)
                        throw new IOException(path + ": tensor " + names[i] + " appears twice in the checkpoint table");
                }
                return new Contents((ObjectNode) header.get("meta"), tensors);
            }
        } catch (EOFException e) {
            throw new IOException(path + ": truncated checkpoint", e);
        }
    }

    /** The SHA-256 of everything before the last 32 bytes must equal them. */
    private static void verifyChecksum(Path path, long size) throws IOException {
        MessageDigest sha = sha256();
        byte[] stored = new byte[CHECKSUM_BYTES];
        try (InputStream raw = Files.newInputStream(path); DigestInputStream in = new DigestInputStream(raw, sha)) {
            byte[] buf = new byte[1 << 16];
            long left = size - CHECKSUM_BYTES;
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) throw new EOFException();
                left -= r;
            }
            in.on(false);
            if (in.readNBytes(stored, 0, CHECKSUM_BYTES) != CHECKSUM_BYTES) throw new EOFException();
        }
        byte[] actual = sha.digest();
        if (!MessageDigest.isEqual(actual, stored))
            throw new IOException(path + ": checksum mismatch — the checkpoint is corrupt or truncated (SHA-256 of its contents "
                    + HexFormat.of().formatHex(actual, 0, 6) + "…, stored " + HexFormat.of().formatHex(stored, 0, 6) + "…)");
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(c >= 32 && c < 127 ? c : '?');
        return b.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
