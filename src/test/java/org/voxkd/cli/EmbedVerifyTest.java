package org.voxkd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.audio.Wav;
import org.voxkd.data.EvalLoader;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.eval.EmbeddingFiles;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Scoring;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.train.ModelFiles;
import org.voxkd.train.TrainConfig;
import picocli.CommandLine;

/** `voxkd embed` and `voxkd verify` on a small untrained student saved as a checkpoint. */
class EmbedVerifyTest {
    static final int CROPS = 3, FRAMES = 50;

    @TempDir Path dir;
    Path checkpoint, list;
    SpeakerModel model;
    float[][] weights;

    @BeforeEach
    void setUp() throws IOException {
        TrainConfig cfg = TrainConfig.parse("""
                model: {kind: student, hidden: 16, blocks: 1, expansion: 2, groups: 2, embedding: 8}
                data: {train_list: unused.txt}
                """);
        model = cfg.buildModel();
        weights = new float[][] {model.parameters().initialValues(7, true), model.parameters().initialValues(7, false)};
        checkpoint = dir.resolve("tiny.ckpt");
        ModelFiles.save(checkpoint, cfg, model, weights, List.of(), new ObjectMapper().createObjectNode());
        wav("a.wav", 1, 24000);
        wav("sub/b.wav", 2, 20000);
        wav("c.wav", 3, 7000); // shorter than three crops apart: crops overlap
        list = dir.resolve("list.txt");
        Files.writeString(list, "# three files, one twice\na.wav\n\n  sub/b.wav\nc.wav\na.wav\n");
    }

    void wav(String rel, long seed, int samples) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Random r = new Random(seed);
        double f0 = 100 + 60 * seed;
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++)
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * f0 * i / 16000) + 0.2 * Math.sin(2 * Math.PI * 3.1 * f0 * i / 16000) + 0.05 * r.nextGaussian());
        Wav.write(p, x, 16000);
    }

    record Run(int rc, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    /** Unit crop embeddings of one file, computed here without the code under test. */
    float[][] unitCrops(Embedder e, String rel) throws IOException {
        float[][] emb = e.embed(new EvalLoader(dir, FRAMES, CROPS).features(rel));
        for (float[] v : emb) {
            double n = 0;
            for (float x : v) n += (double) x * x;
            for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] / Math.sqrt(n));
        }
        return emb;
    }

    static float[] mean(float[][] crops) {
        float[] m = new float[crops[0].length];
        for (int i = 0; i < m.length; i++) {
            double s = 0;
            for (float[] c : crops) s += c[i];
            m[i] = (float) (s / crops.length);
        }
        return m;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    @Test
    void embedWritesCsvAndBinThatRoundTrip() throws IOException {
        Path csv = dir.resolve("out/emb.csv"), bin = dir.resolve("out/emb.bin");
        String[] common = {"--checkpoint", checkpoint.toString(), "--list", list.toString(), "--crops", "" + CROPS, "--frames", "" + FRAMES};
        Run r = run(concat(new String[] {"embed", "--out", csv.toString()}, common));
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("4 embeddings of 8 values (3 distinct utterances, 3 crops of 50 frames)"), r.out());
        assertEquals(0, run(concat(new String[] {"embed", "--out", bin.toString(), "--format", "bin"}, common)).rc());

        EmbeddingFiles.Table c = EmbeddingFiles.readCsv(csv), b = EmbeddingFiles.readBin(bin);
        assertEquals(List.of("a.wav", "sub/b.wav", "c.wav", "a.wav"), c.paths());
        assertEquals(8, c.dimension());
        assertTrue(Files.readString(csv).startsWith("path,e0,e1,e2,e3,e4,e5,e6,e7\na.wav,"));
        assertEquals(4, b.values().length);
        for (int i = 0; i < 4; i++) assertArrayEquals(c.values()[i], b.values()[i], 0f, "csv and bin row " + i); // both exact
        assertArrayEquals(c.values()[0], c.values()[3], 0f);

        byte[] raw = Files.readAllBytes(bin);
        assertEquals(20 + 4 * 4 * 8, raw.length);
        assertEquals("VOXKDEMB", new String(raw, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, raw[8]);
        assertEquals(4, raw[12]);
        assertEquals(8, raw[16]);

        try (Backend cpu = Backends.create("cpu", null); Embedder e = new Embedder(model, cpu, weights[0], weights[1])) {
            float[][][] unit = {unitCrops(e, "a.wav"), unitCrops(e, "sub/b.wav"), unitCrops(e, "c.wav")};
            for (int u = 0; u < 3; u++) assertArrayEquals(mean(unit[u]), c.values()[u], 1e-6f, "row " + u);
            // the dot product of two stored embeddings is eval's score: the mean cosine over crop pairs
            assertEquals(Scoring.score(unit[0], unit[1]), dot(c.values()[0], c.values()[1]), 1e-6);
            assertEquals(Scoring.score(unit[1], unit[2]), dot(c.values()[1], c.values()[2]), 1e-6);
        }
    }

    @Test
    void embedReportsBadListLinesByNumber() throws IOException {
        Files.writeString(list, "a.wav\nid1 sub/b.wav\n");
        Run r = run("embed", "--checkpoint", checkpoint.toString(), "--list", list.toString(), "--out", dir.resolve("x.csv").toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().contains(list + ":2: expected 1 field 'path', found 2: 'id1 sub/b.wav'"), r.err());
        assertTrue(!Files.exists(dir.resolve("x.csv")));
    }

    @Test
    void verifyDecidesAtTheGivenThreshold() throws IOException {
        double expected;
        try (Backend cpu = Backends.create("cpu", null); Embedder e = new Embedder(model, cpu, weights[0], weights[1])) {
            expected = Scoring.score(unitCrops(e, "a.wav"), unitCrops(e, "sub/b.wav"));
        }
        String a = dir.resolve("a.wav").toString(), b = dir.resolve("sub/b.wav").toString();
        String[] common = {"verify", "--checkpoint", checkpoint.toString(), "--crops", "" + CROPS, "--frames", "" + FRAMES, a, b};

        Run below = run(concat(common, new String[] {"--threshold", "" + (expected - 1e-3)}));
        assertEquals(0, below.rc(), below.err());
        assertEquals(expected, score(below.out()), 1e-6);
        assertTrue(below.out().contains("decision: same speaker"), below.out());
        assertTrue(below.out().contains("(--threshold)"), below.out());

        Run above = run(concat(common, new String[] {"--threshold", "" + (expected + 1e-3)}));
        assertEquals(expected, score(above.out()), 1e-6);
        assertTrue(above.out().contains("decision: different speakers"), above.out());

        // no --threshold and none stored: a clear error
        Run none = run(common);
        assertEquals(2, none.rc());
        assertTrue(none.err().contains("stores no decision threshold") && none.err().contains("--threshold"), none.err());

        // the threshold stored in the checkpoint (validation EER point)
        ObjectNode prov = new ObjectMapper().createObjectNode().put("eer_threshold", expected + 0.5);
        ModelFiles.save(checkpoint, TrainConfig.parse("""
                model: {kind: student, hidden: 16, blocks: 1, expansion: 2, groups: 2, embedding: 8}
                data: {train_list: unused.txt}
                """), model, weights, List.of(), prov);
        Run stored = run(common);
        assertEquals(0, stored.rc(), stored.err());
        assertTrue(stored.out().contains("validation EER threshold stored in the checkpoint"), stored.out());
        assertTrue(stored.out().contains("decision: different speakers"), stored.out());
    }

    static double score(String out) {
        Matcher m = Pattern.compile("^score (-?[0-9.]+) ", Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    static String[] concat(String[] a, String[] b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }
}
