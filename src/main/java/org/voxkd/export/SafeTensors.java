package org.voxkd.export;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.io.AtomicFiles;

/**
 * The safetensors file format (Hugging Face): an 8-byte little-endian header length, a JSON header mapping each
 * tensor name to {@code {dtype, shape, data_offsets: [begin, end]}} (offsets into the data that follows) plus an
 * optional {@code __metadata__} string map, then the tensors' little-endian bytes, contiguous, with no gaps. voxkd
 * writes float32 ({@code F32}) tensors and int64 ({@code I64}) counters; it reads F32, F16, BF16 and F64 as float32
 * and I64 as longs. Every malformed file is an error that names it.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** A header larger than this is not a model's. */
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** One tensor: its dtype name, shape and values (float32 data for float dtypes, longs for I64). */
    public record Tensor(String dtype, int[] shape, float[] floats, long[] longs) {
        public static Tensor f32(int[] shape, float[] v) { return new Tensor("F32", shape, v, null); }

        public static Tensor i64(int[] shape, long[] v) { return new Tensor("I64", shape, null, v); }

        public long count() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    /** A file's tensors (in file order) and its {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private static int width(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            case "F64", "I64" -> 8;
            default -> -1;
        };
    }

    /** Writes tensors in map order and the metadata, atomically. The header is padded with spaces to 8 bytes. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = t.count() * width(t.dtype());
            if (t.dtype().equals("F32") ? t.floats().length != t.count() : !t.dtype().equals("I64") || t.longs().length != t.count())
                throw new IllegalArgumentException("tensor " + e.getKey() + ": " + t.dtype() + " " + Arrays.toString(t.shape()) + " does not match its data");
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype());
            ArrayNode shape = n.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            n.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(head);
            for (Tensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.count() * width(t.dtype()))).order(ByteOrder.LITTLE_ENDIAN);
                if (t.floats() != null) b.asFloatBuffer().put(t.floats());
                else b.asLongBuffer().put(t.longs());
                out.write(b.array());
            }
        });
    }

    public static Contents read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such safetensors file");
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) throw new IOException(file + ": not a safetensors file (" + all.length + " bytes, no header length)");
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        if (n < 2 || n > MAX_HEADER || 8 + n > all.length)
            throw new IOException(file + ": not a safetensors file (header length " + n + " in a file of " + all.length + " bytes)");
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IOException(file + ": the safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (header == null || !header.isObject()) throw new IOException(file + ": the safetensors header is not a JSON object");
        int base = 8 + (int) n;
        long dataLength = all.length - base;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<long[]> spans = new ArrayList<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : header.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new IOException(file + ": __metadata__ must be a string map");
                for (var m : v.properties()) metadata.put(m.getKey(), m.getValue().asText());
                continue;
            }
            String where = file + ": tensor " + name;
            if (!v.isObject() || !v.path("dtype").isTextual() || !v.path("shape").isArray() || v.path("data_offsets").size() != 2)
                throw new IOException(where + ": needs dtype, shape and data_offsets [begin, end]");
            String dtype = v.get("dtype").asText();
            int w = width(dtype);
            if (w < 0) throw new IOException(where + ": dtype " + dtype + " is not supported (F32, F16, BF16, F64, I64)");
            int[] shape = new int[v.get("shape").size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = v.get("shape").get(i);
                if (!d.canConvertToInt() || d.asInt() < 0) throw new IOException(where + ": bad dimension " + d);
                count *= shape[i] = d.asInt();
            }
            long begin = v.get("data_offsets").get(0).asLong(-1), end = v.get("data_offsets").get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataLength)
                throw new IOException(where + ": data_offsets [" + begin + ", " + end + "] outside the " + dataLength + " data bytes");
            if (end - begin != count * w)
                throw new IOException(where + ": " + dtype + " " + Arrays.toString(shape) + " needs " + count * w + " bytes, data_offsets give " + (end - begin));
            spans.add(new long[] {begin, end});
            ByteBuffer d = ByteBuffer.wrap(all, base + (int) begin, (int) (end - begin)).slice().order(ByteOrder.LITTLE_ENDIAN);
            tensors.put(name, decode(dtype, shape, (int) count, d));
        }
        spans.sort((a, b) -> Long.compare(a[0], b[0]));
        long at = 0;
        for (long[] s : spans) {
            if (s[0] != at) throw new IOException(file + ": tensor data " + (s[0] < at ? "overlaps" : "has a gap") + " at byte " + at);
            at = s[1];
        }
        if (at != dataLength) throw new IOException(file + ": " + (dataLength - at) + " bytes after the last tensor");
        return new Contents(tensors, metadata);
    }

    private static Tensor decode(String dtype, int[] shape, int count, ByteBuffer d) {
        if (dtype.equals("I64")) {
            long[] v = new long[count];
            d.asLongBuffer().get(v);
            return Tensor.i64(shape, v);
        }
        float[] v = new float[count];
        switch (dtype) {
            case "F32" -> d.asFloatBuffer().get(v);
            case "F64" -> { for (int i = 0; i < count; i++) v[i] = (float) d.getDouble(8 * i); }
            case "F16" -> { for (int i = 0; i < count; i++) v[i] = Float.float16ToFloat(d.getShort(2 * i)); }
            default -> { for (int i = 0; i < count; i++) v[i] = Float.intBitsToFloat((d.getShort(2 * i) & 0xffff) << 16); } // BF16
        }
        return new Tensor(dtype, shape, v, null);
    }
}
