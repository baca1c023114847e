package org.voxkd.eval;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.voxkd.io.AtomicFiles;

/**
 * The files {@code voxkd embed} writes, one row per listed path in list order; both are written atomically.
 *
 * <p><b>CSV</b>: a header {@code path,e0,e1,…,e(D−1)}, then per row the path (as listed) and D values in
 * Java's shortest round-trip decimal form ({@code Float.toString}), so reading gives back the same floats.
 *
 * <p><b>bin</b> (all integers and floats little-endian), for numpy
 * {@code np.fromfile(f, '<f4', offset=20).reshape(N, D)}:
 * <pre>
 *   offset  bytes   field
 *        0      8   magic, ASCII "VOXKDEMB"
 *        8      4   format version, int32 = 1
 *       12      4   N, rows, int32
 *       16      4   D, embedding size, int32
 *       20  4·N·D   float32 values, row-major (row i = line i of the list, comments and blanks skipped)
 * </pre>
 * The bin file holds no paths: its rows follow the list it was made from.
 */
public final class EmbeddingFiles {
    static final byte[] MAGIC = "VOXKDEMB".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1, HEADER = 20;

    private EmbeddingFiles() {}

    /** Rows of embeddings with their paths (paths are null when read from a bin file). */
    public record Table(List<String> paths, float[][] values) {
        public int dimension() { return values.length == 0 ? 0 : values[0].length; }
    }

    public static void writeCsv(Path file, List<String> paths, float[][] values) throws IOException {
        int d = check(paths.size(), values);
        String[] header = new String[d + 1];
        header[0] = "path";
        for (int i = 0; i < d; i++) header[i + 1] = "e" + i;
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header).setRecordSeparator('\n').get());
            List<String> row = new ArrayList<>(d + 1);
            for (int r = 0; r < values.length; r++) {
                row.clear();
                row.add(paths.get(r));
                for (float v : values[r]) row.add(Float.toString(v));
                p.printRecord(row);
            }
            p.flush();
        });
    }

    public static void writeBin(Path file, float[][] values) throws IOException {
        int d = check(values.length, values);
        AtomicFiles.write(file, out -> {
            ByteBuffer head = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).putInt(VERSION).putInt(values.length).putInt(d);
            out.write(head.array());
            ByteBuffer row = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] v : values) {
                row.clear();
                row.asFloatBuffer().put(v);
                out.write(row.array());
            }
        });
    }

    public static Table readCsv(Path file) throws IOException {
        List<String> paths = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            int d = p.getHeaderNames().size() - 1;
            if (d < 1 || !p.getHeaderNames().get(0).equals("path")) throw new IOException(file + ":1: expected a header 'path,e0,…', found " + p.getHeaderNames());
            for (CSVRecord rec : p) {
                long line = p.getCurrentLineNumber();
                if (rec.size() != d + 1) throw new IOException(file + ":" + line + ": expected " + (d + 1) + " fields, found " + rec.size());
                float[] v = new float[d];
                for (int i = 0; i < d; i++) {
                    try {
                        v[i] = Float.parseFloat(rec.get(i + 1));
                    } catch (NumberFormatException e) {
                        throw new IOException(file + ":" + line + ": field " + (i + 2) + " is not a number: '" + rec.get(i + 1) + "'");
                    }
                }
                paths.add(rec.get(0));
                rows.add(v);
            }
        }
        return new Table(paths, rows.toArray(float[][]::new));
    }

    public static Table readBin(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < HEADER || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length))
            throw new IOException(file + ": not a voxkd embedding file (no VOXKDEMB header)");
        int version = b.getInt(8), n = b.getInt(12), d = b.getInt(16);
        if (version != VERSION) throw new IOException(file + ": embedding file version " + version + ", this voxkd reads version " + VERSION);
        if (n < 0 || d < 0 || HEADER + 4L * n * d != bytes.length)
            throw new IOException(file + ": header says " + n + " × " + d + " floats (" + (HEADER + 4L * n * d) + " bytes) but the file has " + bytes.length + " bytes");
        float[][] values = new float[n][d];
        for (int i = 0; i < n; i++) {
            b.position(Math.toIntExact(HEADER + 4L * i * d));
            b.asFloatBuffer().get(values[i]);
        }
        return new Table(null, values);
    }

    private static int check(int rows, float[][] values) {
        if (rows != values.length) throw new IllegalArgumentException(rows + " paths but " + values.length + " embeddings");
        if (values.length == 0) throw new IllegalArgumentException("no embeddings to write");
        int d = values[0].length;
        for (float[] v : values) if (v.length != d) throw new IllegalArgumentException("embeddings differ in size: " + v.length + " vs " + d);
        return d;
    }
}
