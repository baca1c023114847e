package org.voxkd.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.audio.FrontEnd;
import org.voxkd.audio.Wav;
import org.voxkd.data.EvalLoader;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Scoring;
import org.voxkd.eval.UtteranceEmbeddings;
import org.voxkd.export.OnnxExport;
import org.voxkd.export.Variant;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.scoring.Cost;
import org.voxkd.scoring.LinearCalibration;
import org.voxkd.train.ModelFiles;
import org.voxkd.train.TrainConfig;

/**
 * The Java API: the README's example compiled (javax.tools, against the classes the jar packs) and run on a small
 * checkpoint; every input kind, thread safety, stored / given / calibrated thresholds, an ONNX export.
 */
class ApiReadmeTest {
    @TempDir static Path dir;
    static Path checkpoint;
    static SpeakerModel model;
    static float[][] weights;
    static final double STORED = 0.25;

    @BeforeAll
    static void setUp() throws IOException {
        TrainConfig cfg = TrainConfig.parse("""
                model: {kind: student, hidden: 16, blocks: 1, expansion: 2, groups: 2, embedding: 8}
                data: {train_list: unused.txt}
                """);
        model = cfg.buildModel();
        weights = new float[][] {model.parameters().initialValues(5, true), model.parameters().initialValues(5, false)};
        checkpoint = dir.resolve("my model/best.ckpt");
        Files.createDirectories(checkpoint.getParent());
        ModelFiles.save(checkpoint, cfg, model, weights, List.of(), new ObjectMapper().createObjectNode().put("eer_threshold", STORED));
        Wav.write(dir.resolve("a.wav"), tone(1, 30000), 16000);
        Wav.write(dir.resolve("b.wav"), tone(2, 26000), 16000);
    }

    static float[] tone(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.3 * Math.sin(2 * Math.PI * (120 + 50 * seed) * i / 16000) + 0.05 * r.nextGaussian());
        return x;
    }

    /** The reference score, without the API: eval's mean cosine over crop pairs (10 crops of 200 frames). */
    static double reference(String a, String b) throws IOException {
        try (Backend cpu = Backends.create("cpu", null); Embedder e = new Embedder(model, cpu, weights[0], weights[1])) {
            EvalLoader l = new EvalLoader(dir, 200, 10);
            return Scoring.score(UtteranceEmbeddings.unitCrops(e, l.features(a), a), UtteranceEmbeddings.unitCrops(e, l.features(b), b));
        }
    }

    /** The README's example between its markers: its class name and its code. */
    private static String[] readmeExample() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("<!-- api-example:start -->\\s*```java\\n(.*?)```\\s*<!-- api-example:end -->", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md holds the API example between the api-example markers");
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(m.group(1));
        assertTrue(cls.find());
        return new String[] {cls.group(1), m.group(1)};
    }

    /** Compiles the example against {@code classpath} into a folder of its own ({@code tag}) and returns that folder. */
    private static Path compile(String[] example, String classpath, String tag) throws IOException {
        Path src = dir.resolve(tag + "/" + example[0] + ".java"), classes = dir.resolve(tag + "-classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, example[1]);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp", classpath, src.toString());
        assertEquals(0, rc, "the README example compiles against " + classpath + ":\n" + diagnostics.toString(StandardCharsets.UTF_8));
        return classes;
    }

    /** The example's line "score S, threshold 0.250000 (…): DECISION", its score checked against eval's; the match, for the decision. */
    private Matcher checkScoreLine(String out) throws IOException {
        Matcher s = Pattern.compile("^score (-?[0-9.]+), threshold 0\\.250000 \\(validation EER threshold stored in the checkpoint\\): (same speaker|different speakers)$",
                Pattern.MULTILINE).matcher(out);
        assertTrue(s.find(), out);
        assertEquals(reference("a.wav", "b.wav"), Double.parseDouble(s.group(1)), 5e-7, out);
        return s;
    }

    @Test
    void readmeExampleCompilesAndRuns() throws Exception {
        String[] example = readmeExample();
        assertTrue(example[1].lines().count() <= 14, "a short example: " + example[1].lines().count() + " lines");
        Path classes = compile(example, System.getProperty("java.class.path"), "example");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            loader.loadClass(example[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {checkpoint.toString(), dir.resolve("a.wav").toString(), dir.resolve("b.wav").toString()});
        } finally {
            System.setOut(old);
        }
        Matcher s = checkScoreLine(buf.toString(StandardCharsets.UTF_8));
        assertEquals(reference("a.wav", "b.wav") >= STORED ? "same speaker" : "different speakers", s.group(2));
    }

    /**
     * The same README example as a user runs it: compiled against the packaged jar (target/voxkd.jar, whose manifest
     * names its dependencies — what `mvn install` installs) and run in a JVM of its own. `make test` packages the jar
     * before the suite; a plain `mvn test` without it, or with a jar older than these classes, skips with the reason.
     */
    @Test
    void readmeExampleCompilesAndRunsAgainstThePackagedJar() throws Exception {
        Path jar = Path.of("target/voxkd.jar");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(jar), "no target/voxkd.jar: `make test` packages it before the suite");
        try (java.util.jar.JarFile jf = new java.util.jar.JarFile(jar.toFile())) {
            var entry = jf.getJarEntry("org/voxkd/api/Verifier.class");
            org.junit.jupiter.api.Assumptions.assumeTrue(entry != null && java.util.Arrays.equals(jf.getInputStream(entry).readAllBytes(),
                    Files.readAllBytes(Path.of("target/classes/org/voxkd/api/Verifier.class"))), "target/voxkd.jar is older than target/classes: repackage");
        }
        String[] example = readmeExample();
        Path classes = compile(example, jar.toString(), "jar-example");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", "jdk.incubator.vector",
                "-cp", classes + java.io.File.pathSeparator + jar.toAbsolutePath(), example[0],
                checkpoint.toString(), dir.resolve("a.wav").toString(), dir.resolve("b.wav").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        checkScoreLine(out);
    }

    @Test
    void everyInputKindGivesTheSameEmbeddingAndThreadsAgree() throws Exception {
        try (Verifier v = Verifier.load(checkpoint)) {
            assertEquals(8, v.dimension());
            assertEquals(STORED, v.storedThreshold().getAsDouble());
            Embedding fromFile = v.embed(dir.resolve("a.wav"));
            Embedding fromSamples = v.embed(Wav.read(dir.resolve("a.wav")));
            assertArrayEquals(fromFile.values(), fromSamples.values(), 0f, "a WAV file and its samples");
            assertEquals(reference("a.wav", "b.wav"), v.score(fromFile, v.embed(dir.resolve("b.wav"))), 0, "eval's score, bit for bit");
            // a feature matrix: one crop, the whole matrix
            float[] flat = new FrontEnd().features(Wav.read(dir.resolve("b.wav")));
            float[][] matrix = new float[flat.length / 80][80];
            for (int t = 0; t < matrix.length; t++) System.arraycopy(flat, t * 80, matrix[t], 0, 80);
            try (Verifier whole = Verifier.load(checkpoint, Verifier.Options.defaults().crops(0, 0))) {
                assertArrayEquals(whole.embed(dir.resolve("b.wav")).values(), whole.embedFeatures(matrix).values(), 1e-6f, "features = whole utterance");
            }
            // eight threads at once: the same bits as one
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Embedding>> f = new ArrayList<>();
            for (int i = 0; i < 8; i++) f.add(pool.submit(() -> v.embed(dir.resolve("a.wav"))));
            for (Future<Embedding> e : f) assertEquals(fromFile, e.get());
            pool.shutdown();
            // thresholds: given, calibrated (Bayes threshold mapped to a score), stored
            Embedding b = v.embed(dir.resolve("b.wav"));
            double s = v.score(fromFile, b);
            assertTrue(v.verify(fromFile, b, Threshold.of(s)).sameSpeaker());
            assertFalse(v.verify(fromFile, b, Threshold.of(Math.nextUp(s))).sameSpeaker());
            LinearCalibration cal = LinearCalibration.fit(new double[] {0.1, 0.5, 0.3, 0.9, 0.45, 0.7}, new int[] {0, 0, 0, 1, 1, 1}, 0.5);
            Threshold t = Threshold.calibrated(cal, new Cost(0.05, 1, 1));
            assertEquals(new Cost(0.05, 1, 1).llrThreshold(), cal.llr(t.value()), 1e-12);
            assertTrue(t.source().contains("P_target 0.05, C_miss 1, C_fa 1"), t.source());
            assertEquals(s >= STORED, v.verify(fromFile, b).sameSpeaker());
            // bad input: clear errors
            float[] nan = {0, Float.NaN};
            assertTrue(assertThrows(IllegalArgumentException.class, () -> v.embed(nan, "mic")).getMessage().contains("mic: sample 1 is NaN"));
            assertThrows(IllegalArgumentException.class, () -> v.embedFeatures(new float[][] {new float[79]}));
        }
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Verifier.load(dir.resolve("none.ckpt")));
    }

    @Test
    void anOnnxExportLoadsAndAgreesWithItsCheckpoint() throws Exception {
        Path onnx = dir.resolve("model.onnx");
        OnnxExport.write(onnx, OnnxExport.build(ModelFiles.load(checkpoint), checkpoint, Variant.FP32, null));
        try (Verifier c = Verifier.load(checkpoint); Verifier o = Verifier.load(onnx)) {
            assertEquals(c.dimension(), o.dimension());
            assertEquals(STORED, o.storedThreshold().getAsDouble(), "the threshold travels in the export's metadata");
            assertTrue(o.description().contains("ONNX"), o.description());
            assertArrayEquals(c.embed(dir.resolve("a.wav")).values(), o.embed(dir.resolve("a.wav")).values(), 1e-4f);
        }
    }
}
