package org.voxkd.io;

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
import java.util.LinkedHashMap;
import java.util.Map;
import org.voxkd.nn.NamedTensors;

/**
 * voxkd's checkpoint file: a magic line, a JSON header (provenance: configuration, data hash, commit,
 * epoch, metrics; and the tensor table), then every tensor's float32 values, little-endian, in table
 * order. Written atomically. Any trained artefact carries what made it (Tribuo-style provenance).
 */
public final class Checkpoint {
    static final byte[] MAGIC = "VOXKD-CHECKPOINT 1\n".getBytes(StandardCharsets.US_ASCII);
    static final ObjectMapper JSON = new ObjectMapper();

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
        AtomicFiles.write(path, out -> {
            out.write(MAGIC);
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(head.length).array());
            out.write(head);
            for (NamedTensors.Tensor t : tensors.values()) {
                ByteBuffer bb = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(t.data());
                out.write(bb.array());
            }
        });
    }

    public static Contents load(Path path) throws IOException {
        if (!Files.isRegularFile(path)) throw new IOException(path + ": no such checkpoint file");
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(path), 1 << 16);
             DataInputStream in = new DataInputStream(raw)) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new IOException(path + ": not a voxkd checkpoint (bad magic)");
            byte[] len = new byte[4];
            in.readFully(len);
            int n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (n <= 0 || n > (64 << 20)) throw new IOException(path + ": corrupt checkpoint header length " + n);
            byte[] head = new byte[n];
            in.readFully(head);
            JsonNode header = JSON.readTree(head);
            Map<String, NamedTensors.Tensor> tensors = new LinkedHashMap<>();
            for (JsonNode t : header.get("tensors")) {
                int[] shape = new int[t.get("shape").size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) count *= shape[i] = t.get("shape").get(i).asInt();
                byte[] data = new byte[Math.toIntExact(count * 4)];
                in.readFully(data);
                float[] f = new float[(int) count];
                ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                tensors.put(t.get("name").asText(), new NamedTensors.Tensor(shape, f));
            }
            if (in.read() != -1) throw new IOException(path + ": trailing bytes after the last tensor");
            return new Contents((ObjectNode) header.get("meta"), tensors);
        } catch (EOFException e) {
            throw new IOException(path + ": truncated checkpoint", e);
        }
    }
}
