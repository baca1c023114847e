package org.voxkd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.audio.Wav;
import org.voxkd.data.EvalLoader;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Scoring;
import org.voxkd.eval.UtteranceEmbeddings;
import org.voxkd.io.Checkpoint;
import org.voxkd.nn.NamedTensors;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.train.ModelFiles;
import org.voxkd.train.TrainConfig;

/**
 * Bad input through the command line: every case ends within a time bound either with exit 0 and a correct result
 * or with exit 2 and one line naming the input — never a hang, a stack trace, an unchecked exception's name or a
 * silent NaN. First the cases of issue 13 one by one, then a seeded fuzzer that corrupts valid WAVs, checkpoints,
 * lists and YAML configurations a few hundred times (truncation, random bytes, huge sizes in headers, NaN, wrong types).
 */
class FuzzTest {
    static final int CROPS = 2, FRAMES = 30;
    static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir static Path dir;
    static Path checkpoint, wavA, wavB, wavC, trials, paths, trainList, config;
    static SpeakerModel model;
    static float[][] weights;
    static TrainConfig cfg;

    @BeforeAll
    static void fixtures() throws IOException {
        cfg = TrainConfig.parse("""
                model: {kind: student, hidden: 8, blocks: 1, expansion: 2, groups: 2, embedding: 8}
                data: {train_list: unused.txt}
                """);
        model = cfg.buildModel();
        weights = new float[][] {model.parameters().initialValues(3, true), model.parameters().initialValues(3, false)};
        checkpoint = dir.resolve("tiny.ckpt");
        ModelFiles.save(checkpoint, cfg, model, weights, List.of("s1", "s2"), new ObjectMapper().createObjectNode().put("eer_threshold", 0.5));
        wavA = wav("wav/s1/a.wav", 1, 9000);
        wavB = wav("wav/s2/b.wav", 2, 7000);
        wavC = wav("wav/s1/c.wav", 3, 8000);
        trials = dir.resolve("trials.txt");
        Files.writeString(trials, "1 s1/a.wav s1/c.wav\n0 s1/a.wav s2/b.wav\n0 s2/b.wav s1/c.wav\n1 s1/c.wav s1/a.wav\n");
        paths = dir.resolve("paths.txt");
        Files.writeString(paths, "s1/a.wav\ns2/b.wav\ns1/c.wav\n");
        trainList = dir.resolve("train.txt");
        Files.writeString(trainList, "s1 s1/a.wav\ns2 s2/b.wav\ns1 s1/c.wav\n");
        cpu = Backends.create("cpu", null);
        embedder = new Embedder(model, cpu, weights[0], weights[1]);
        config = dir.resolve("run.yaml");
        Files.writeString(config, """
                # a small student
                seed: 3
                model: {kind: student, hidden: 8, blocks: 1, expansion: 2, groups: 2, embedding: 8}
                loss: {classifier: aam, margin: 0.2, scale: 30}
                optim:
                  lr: 0.001
                  batch: 2
                  epochs: 2
                data:
                  train_list: train.txt
                  train_root: wav
                  val_trials: trials.txt
                  trial_root: wav
                  max_frames: 30
                  workers: 1
                eval: {interval: 1, crops: 2, frames: 30}
                """);
    }

    static Path wav(String rel, long seed, int samples) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Random r = new Random(seed);
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) x[i] = (float) (0.3 * Math.sin(2 * Math.PI * (120 + 40 * seed) * i / 16000) + 0.05 * r.nextGaussian());
        Wav.write(p, x, 16000);
        return p;
    }

    record Run(int rc, String out, String err) {}

    static Run cli(String... args) {
        return assertTimeoutPreemptively(BOUND, () -> {
            StringWriter out = new StringWriter(), err = new StringWriter();
            picocli.CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int rc = cl.execute(args);
            return new Run(rc, out.toString(), err.toString());
        }, () -> "voxkd " + String.join(" ", args) + " did not finish within " + BOUND);
    }

    /** Exit 2 with exactly one line, "voxkd: ...", that names one of {@code names} and is no stack trace. */
    static void assertOneLineError(Run r, String what, String... names) {
        assertEquals(2, r.rc(), what + ": exit " + r.rc() + ", out: " + r.out() + " err: " + r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("voxkd: ") && !err.contains("\n"), what + ": not one line: " + r.err());
        assertTrue(Arrays.stream(names).anyMatch(err::contains), what + ": the error names none of " + Arrays.toString(names) + ": " + err);
        for (String trace : new String[] {"Exception", "\tat ", "java.lang.", "null"})
            assertTrue(!err.contains(trace), what + ": looks like an unchecked error ('" + trace + "'): " + err);
    }

    static String[] verify(Path ckpt, Path a, Path b) {
        return new String[] {"verify", "--checkpoint", ckpt.toString(), "--crops", "" + CROPS, "--frames", "" + FRAMES, a.toString(), b.toString()};
    }

    static double score(String out) {
        Matcher m = Pattern.compile("^score (\\S+) ", Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    /** The score of two files under the fixture's weights, through the library: what a successful `voxkd verify` must print. */
    static double reference(Path a, Path b) throws IOException {
        EvalLoader loader = new EvalLoader(Path.of(""), FRAMES, CROPS);
        return Scoring.score(UtteranceEmbeddings.unitCrops(embedder, loader.features(a.toString()), "a"),
                UtteranceEmbeddings.unitCrops(embedder, loader.features(b.toString()), "b"));
    }

    static Backend cpu;
    static Embedder embedder;

    @AfterAll
    static void close() {
        embedder.close();
        cpu.close();
    }

    static Path floatWav(String name, float[] x) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) data.putFloat(v);
        ByteBuffer b = ByteBuffer.allocate(44 + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + data.capacity()).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 3).putShort((short) 1).putInt(16000).putInt(64000)
                .putShort((short) 4).putShort((short) 32);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data.capacity()).put(data.array());
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, b.array());
        return p;
    }

    // ------------------------------------------------------------------ the cases, one by one

    @Test
    void nanSamplesAreRefusedByVerifyAndEval() throws IOException {
        float[] x = Wav.read(wavA);
        x[4000] = Float.NaN;
        Path nan = floatWav("wav/s1/nan.wav", x);
        Run v = cli(verify(checkpoint, nan, wavB));
        assertOneLineError(v, "verify with a NaN sample", nan.toString());
        assertTrue(v.err().contains("sample 4000"), v.err());
        // the same file in a trial list: eval used to hang in the EER sweep; now it stops at once, naming the file
        Path list = dir.resolve("nan-trials.txt");
        Files.writeString(list, "1 s1/a.wav s1/nan.wav\n0 s1/nan.wav s2/b.wav\n");
        Run e = cli("eval", "--checkpoint", checkpoint.toString(), "--trials", list.toString(), "--root", dir.resolve("wav").toString(),
                "--crops", "" + CROPS, "--frames", "" + FRAMES);
        assertOneLineError(e, "eval with a NaN sample", nan.toString());
    }

    @Test
    void embeddingsThatOverflowNameTheUtterance() throws IOException {
        float[][] huge = {weights[0].clone(), weights[1]};
        Arrays.fill(huge[0], 1e30f);
        Path bad = dir.resolve("huge.ckpt");
        ModelFiles.save(bad, cfg, model, huge, List.of(), new ObjectMapper().createObjectNode().put("eer_threshold", 0.5));
        Run v = cli(verify(bad, wavA, wavB));
        assertOneLineError(v, "verify with overflowing weights", wavA.toString());
        assertTrue(v.err().contains("embedding"), v.err());
        Run e = cli("embed", "--checkpoint", bad.toString(), "--list", paths.toString(), "--root", dir.resolve("wav").toString(),
                "--out", dir.resolve("huge.csv").toString(), "--crops", "" + CROPS, "--frames", "" + FRAMES);
        assertOneLineError(e, "embed with overflowing weights", "a.wav");
        assertTrue(!Files.exists(dir.resolve("huge.csv")));
    }

    @Test
    void trainCheckValidatesWithoutTraining() throws IOException {
        Run ok = cli("train", "--config", config.toString(), "--check");
        assertEquals(0, ok.rc(), ok.err());
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(config).replace("  batch: 2\n", "  batch: 2\n  batch: 64.9\n"));
        assertOneLineError(cli("train", "--config", bad.toString(), "--check"), "duplicate key", bad + ":8");
        Files.writeString(bad, Files.readString(config).replace("eval: {interval: 1", "eval: {interval: 0"));
        Run interval = cli("train", "--config", bad.toString(), "--out", dir.resolve("never").toString());
        assertOneLineError(interval, "interval 0", bad + ":16: eval.interval");
        assertTrue(!Files.exists(dir.resolve("never")), "nothing trained, no run directory");
        Files.writeString(bad, Files.readString(config).replace("  workers: 1\n", "  workers: 1\n  augment: true\n  musan: nowhere\n  rirs: nowhere\n"));
        assertOneLineError(cli("train", "--config", bad.toString(), "--check"), "missing MUSAN folder", dir.resolve("nowhere").toString());
    }

    // ------------------------------------------------------------------ issue 27: never destroy, never guess

    /** A 16-bit PCM WAV whose 'data' chunk declares {@code declared} bytes (null: the true size), then {@code tail} appended. */
    static Path pcmWav(String name, short[] samples, Integer declared, byte[] tail) throws IOException {
        byte[] good = Wav.encodePcm16(samples, 16000);
        ByteBuffer b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        if (declared != null) b.putInt(40, declared);
        byte[] all = Arrays.copyOf(good, good.length + tail.length);
        System.arraycopy(tail, 0, all, good.length, tail.length);
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, all);
        return p;
    }

    static short[] voice(int n, long seed) {
        Random r = new Random(seed);
        short[] x = new short[n];
        for (int i = 0; i < n; i++) x[i] = Wav.toPcm16(0.3 * Math.sin(2 * Math.PI * 150 * i / 16000) + 0.05 * r.nextGaussian());
        return x;
    }

    @Test
    void noCommandWritesOverOneOfItsInputs() throws IOException {
        Path model = dir.resolve("guard/model.ckpt");
        Files.createDirectories(model.getParent());
        Files.copy(checkpoint, model);
        byte[] before = Files.readAllBytes(model);
        Path link = dir.resolve("guard/link.onnx"), hard = dir.resolve("guard/hard.onnx");
        Files.createSymbolicLink(link, model.getFileName());
        Files.createLink(hard, model);
        for (Path out : List.of(model, link, hard)) {
            Run r = cli("export", "--checkpoint", model.toString(), "--out", out.toString(), "--no-check");
            assertOneLineError(r, "export over its checkpoint via " + out.getFileName(), out.toString());
            assertTrue(r.err().contains("--checkpoint " + model), r.err());
        }
        assertArrayEquals(before, Files.readAllBytes(model), "the checkpoint is untouched");
        String list = Files.readString(paths), trialText = Files.readString(trials);
        assertOneLineError(cli("embed", "--checkpoint", checkpoint.toString(), "--list", paths.toString(), "--out", paths.toString(), "--root",
                dir.resolve("wav").toString(), "--crops", "" + CROPS, "--frames", "" + FRAMES), "embed over its list", paths.toString());
        assertOneLineError(cli("eval", "--checkpoint", checkpoint.toString(), "--trials", trials.toString(), "--scores", trials.toString(), "--root",
                dir.resolve("wav").toString(), "--crops", "" + CROPS, "--frames", "" + FRAMES), "eval over its trial list", trials.toString());
        // a score file over one of the recordings it scores
        byte[] wav = Files.readAllBytes(wavC);
        assertOneLineError(cli("eval", "--checkpoint", checkpoint.toString(), "--trials", trials.toString(), "--scores", wavC.toString(), "--root",
                dir.resolve("wav").toString(), "--crops", "" + CROPS, "--frames", "" + FRAMES), "eval over a listed WAV", wavC.toString());
        assertEquals(list, Files.readString(paths));
        assertEquals(trialText, Files.readString(trials));
        assertArrayEquals(wav, Files.readAllBytes(wavC));
    }

    @Test
    void reportRefusesMissingOrEmptyResultsAndUnknownProfilesAndKeepsWhatItDidNotWrite() throws IOException {
        Path out = dir.resolve("report-out");
        Files.createDirectories(out.resolve("csv"));
        Files.writeString(out.resolve("csv/mine.csv"), "a user's own table\n");
        Path none = dir.resolve("no-results"), empty = dir.resolve("empty-results"), some = dir.resolve("some-results");
        Files.createDirectories(empty);
        Files.createDirectories(some);
        Files.writeString(some.resolve("ledger.jsonl"), "{\"id\":\"0123456789abcdef\",\"profile\":\"smoke\",\"status\":\"complete\"}\n");
        assertOneLineError(cli("report", "--results", none.toString(), "--out", out.toString()), "missing results", none.toString());
        assertOneLineError(cli("report", "--results", empty.toString(), "--out", out.toString()), "empty results", empty.toString());
        Run typo = cli("report", "--results", some.toString(), "--out", out.toString(), "--profile", "smok");
        assertOneLineError(typo, "unknown profile", "smok");
        assertTrue(typo.err().contains("smoke"), "names the profiles there: " + typo.err());
        assertEquals("a user's own table\n", Files.readString(out.resolve("csv/mine.csv")));
        assertEquals(List.of("csv"), list(out), "nothing was written");
        // a real build (library entry, empty results) next to the user's file, twice: it removes only what it wrote
        org.voxkd.report.Report.build(empty, out, null);
        org.voxkd.report.Report.build(empty, out, null);
        assertEquals("a user's own table\n", Files.readString(out.resolve("csv/mine.csv")));
    }

    static List<String> list(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void trainOutRefusesForeignFilesAndASecondWriter() throws IOException {
        Path user = dir.resolve("user-folder");
        Files.createDirectories(user);
        Files.writeString(user.resolve("config.json"), "{\"mine\": true}\n");
        Files.writeString(user.resolve("scores.txt"), "my scores\n");
        Run r = cli("train", "--config", config.toString(), "--out", user.toString());
        assertOneLineError(r, "train into a folder with the user's files", user.toString());
        assertTrue(r.err().contains("config.json") && r.err().contains("did not write"), r.err());
        assertEquals("{\"mine\": true}\n", Files.readString(user.resolve("config.json")));
        assertEquals(List.of("config.json", "scores.txt"), list(user));
        // a live writer holds the folder (this process's claim, as another `voxkd train --out` would): the second is refused
        Path busy = dir.resolve("busy-run");
        try (org.voxkd.pipeline.Claim c = org.voxkd.pipeline.Claim.tryAcquire(busy, Duration.ofSeconds(300), "voxkd train (the first)", System.out).orElseThrow()) {
            Run second = cli("train", "--config", config.toString(), "--out", busy.toString());
            assertOneLineError(second, "a second writer", busy.toString());
            assertTrue(second.err().contains("is being trained by"), second.err());
            assertTrue(!Files.exists(busy.resolve("config.json")), "the second writer wrote nothing");
        }
    }

    @Test
    void degenerateAudioIsRefusedAsInsufficientNeverScored() throws IOException {
        Path one = pcmWav("wav/s3/one.wav", new short[] {1000}, null, new byte[0]);
        Path silence = pcmWav("wav/s3/silence.wav", new short[48000], null, new byte[0]);
        short[] click = new short[48000];
        click[100] = 20000;
        Path clicked = pcmWav("wav/s3/click.wav", click, null, new byte[0]);
        Run v = cli(verify(checkpoint, one, silence));
        assertOneLineError(v, "1 sample against digital silence", one.toString());
        assertTrue(v.err().contains("insufficient audio") && v.out().isEmpty(), v.err() + v.out());
        Run s = cli(verify(checkpoint, wavA, silence));
        assertOneLineError(s, "digital silence", silence.toString());
        assertTrue(s.err().contains("digital silence"), s.err());
        assertOneLineError(cli(verify(checkpoint, clicked, wavA)), "a click in silence", clicked.toString());
        Path list = dir.resolve("silent-trials.txt");
        Files.writeString(list, "1 s1/a.wav s1/c.wav\n0 s3/silence.wav s2/b.wav\n");
        Run e = cli("eval", "--checkpoint", checkpoint.toString(), "--trials", list.toString(), "--root", dir.resolve("wav").toString(),
                "--crops", "" + CROPS, "--frames", "" + FRAMES);
        assertOneLineError(e, "eval with a silent file", silence.toString());
        assertTrue(e.err().contains("insufficient audio"), e.err());
    }

    @Test
    void aWavHeaderThatDisagreesWithTheFileSizeIsAnError() throws IOException {
        short[] x = voice(48000, 5);
        Path lying = pcmWav("wav/s3/lying.wav", x, 100, new byte[0]);
        Run v = cli(verify(checkpoint, lying, wavA));
        assertOneLineError(v, "data chunk of 100 bytes in 96,000", lying.toString());
        assertTrue(v.err().contains("declares 100 bytes") && v.err().contains("disagrees with the file size"), v.err());
        // the same cheap check before eval or training (the header probe), and a file with a real chunk after its data is fine
        assertTrue(assertThrowsIo(() -> Wav.probe(lying, 16000)).contains("disagrees"));
        ByteBuffer list = ByteBuffer.allocate(8 + 12).order(ByteOrder.LITTLE_ENDIAN);
        list.put("LIST".getBytes(StandardCharsets.US_ASCII)).putInt(12).put("INFOISFT".getBytes(StandardCharsets.US_ASCII)).putInt(0);
        Path tagged = pcmWav("wav/s3/tagged.wav", x, null, list.array());
        assertEquals(48000, Wav.read(tagged).length);
        assertEquals(48000, Wav.probe(tagged, 16000).frames());
        assertEquals(0, cli(verify(checkpoint, tagged, wavA)).rc());
    }

    static String assertThrowsIo(org.junit.jupiter.api.function.Executable f) {
        return org.junit.jupiter.api.Assertions.assertThrows(IOException.class, f).getMessage();
    }

    @Test
    void fewerThanTwoSpeakersAndABatchLargerThanTheListAreRefusedByCheckAndTraining() throws IOException {
        Path oneSpeaker = dir.resolve("one-speaker.txt");
        Files.writeString(oneSpeaker, "s1 s1/a.wav\ns1 s1/c.wav\n");
        Path cfg1 = dir.resolve("one-speaker.yaml");
        Files.writeString(cfg1, Files.readString(config).replace("train_list: train.txt", "train_list: one-speaker.txt"));
        Run check = cli("train", "--config", cfg1.toString(), "--check");
        assertOneLineError(check, "one speaker, --check", oneSpeaker.toString());
        assertTrue(check.err().contains("at least 2 speakers"), check.err());
        Path out = dir.resolve("one-speaker-run");
        assertOneLineError(cli("train", "--config", cfg1.toString(), "--out", out.toString()), "one speaker, training", oneSpeaker.toString());
        assertTrue(!Files.exists(out.resolve("done.json")));
        Path big = dir.resolve("big-batch.yaml");
        Files.writeString(big, Files.readString(config).replace("  batch: 2\n", "  batch: 100000\n"));
        Run b = cli("train", "--config", big.toString(), "--check");
        assertOneLineError(b, "batch 100000 of 3 utterances", trainList.toString());
        assertTrue(b.err().contains("100000") && b.err().contains("3 utterances"), b.err());
    }

    @Test
    void checkReadsEverySampleAsTrainingDoes() throws IOException {
        float[] x = Wav.read(wavA);
        x[123] = Float.NaN;
        Path nan = floatWav("wav/s2/nan-train.wav", x);
        Path list = dir.resolve("nan-train.txt");
        Files.writeString(list, "s1 s1/a.wav\ns2 s2/b.wav\ns2 s2/nan-train.wav\n");
        Path cfg = dir.resolve("nan-train.yaml");
        Files.writeString(cfg, Files.readString(config).replace("train_list: train.txt", "train_list: nan-train.txt"));
        Run r = cli("train", "--config", cfg.toString(), "--check");
        assertOneLineError(r, "--check with a NaN sample in a training file", nan.toString());
        assertTrue(r.err().contains("sample 123"), r.err());
        Run ok = cli("train", "--config", config.toString(), "--check");
        assertEquals(0, ok.rc(), ok.err());
        assertTrue(ok.out().contains("every sample of"), ok.out());
    }

    @Test
    void ioErrorsNameTheUsersPathAndTheReason() throws IOException {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        Path under = file.resolve("emb.csv");
        Run r = cli("embed", "--checkpoint", checkpoint.toString(), "--list", paths.toString(), "--root", dir.resolve("wav").toString(),
                "--out", under.toString(), "--crops", "" + CROPS, "--frames", "" + FRAMES);
        assertOneLineError(r, "output under a file", under.toString());
        assertTrue(r.err().contains("not a directory") && !r.err().contains(".tmp"), r.err());
        // a failure inside an atomic write names the target and the reason, never the temporary file
        java.nio.file.FileSystemException tmp = new java.nio.file.AccessDeniedException(dir.resolve(".emb.csv.k3j2h1.tmp").toString());
        String said = Main.message(new java.io.UncheckedIOException(tmp));
        assertEquals(dir.resolve("emb.csv") + ": permission denied", said);
        assertEquals(dir.resolve("x.csv") + ": no space left on device",
                Main.message(new java.nio.file.FileSystemException(dir.resolve(".x.csv.0a1b.tmp").toString(), null, "No space left on device")));
        assertTrue(Main.message(new IOException("cannot read the list", new java.nio.file.NotDirectoryException("/a/b"))).contains("not a directory"));
    }

    @Test
    void outputsAreCreatedWithTheProcessUmask() throws IOException {
        Path plain = dir.resolve("umask-probe"), atomic = dir.resolve("umask-atomic.txt");
        Files.createFile(plain); // mode 0666 less the umask
        org.voxkd.io.AtomicFiles.writeString(atomic, "x\n");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
        Path excl = dir.resolve("umask-exclusive.txt");
        assertTrue(org.voxkd.io.AtomicFiles.createExclusive(excl, new byte[] {1}));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(excl));
    }

    @Test
    void cropsFramesAndThreadsAreBoundedAndEvalShowsProgress() throws IOException {
        String root = dir.resolve("wav").toString();
        String[][] bad = {{"--crops", "100000"}, {"--crops", "-1"}, {"--frames", "0"}, {"--frames", "1000000"}, {"--threads", "0"}, {"--threads", "100000"}};
        for (String[] b : bad) {
            List<String> args = new ArrayList<>(List.of("eval", "--checkpoint", checkpoint.toString(), "--trials", trials.toString(), "--root", root,
                    "--crops", "" + CROPS, "--frames", "" + FRAMES, "--threads", "1"));
            int at = args.indexOf(b[0]);
            args.set(at + 1, b[1]);
            assertOneLineError(cli(args.toArray(String[]::new)), "eval " + b[0] + " " + b[1], b[0]);
        }
        assertOneLineError(cli("verify", "--checkpoint", checkpoint.toString(), "--crops", "100000", wavA.toString(), wavB.toString()), "verify --crops", "--crops");
        Run ok = cli("eval", "--checkpoint", checkpoint.toString(), "--trials", trials.toString(), "--root", root, "--crops", "" + CROPS, "--frames", "" + FRAMES);
        assertEquals(0, ok.rc(), ok.err());
        assertTrue(ok.err().contains("features 3/3 utterances") && ok.err().contains("embeddings 3/3 utterances") && ok.err().contains("done in"), ok.err());
    }

    @Test
    void configAndCheckpointsAreByteIdenticalFromTwoCheckouts() throws IOException {
        List<Path> outs = new ArrayList<>();
        for (String checkout : List.of("checkout-one", "elsewhere/checkout-two")) {
            Path co = dir.resolve(checkout);
            for (Path w : List.of(wavA, wavB, wavC)) {
                Path to = co.resolve(dir.relativize(w));
                Files.createDirectories(to.getParent());
                Files.copy(w, to);
            }
            Files.copy(trainList, co.resolve("train.txt"));
            Files.copy(trials, co.resolve("trials.txt"));
            Files.copy(config, co.resolve("run.yaml"));
            Path out = co.resolve("runs/tiny");
            Run r = cli("train", "--config", co.resolve("run.yaml").toString(), "--out", out.toString(), "--root", co.toString());
            assertEquals(0, r.rc(), r.err());
            assertTrue(!Files.readString(out.resolve("config.json")).contains(dir.toString()), "config.json names no machine path");
            outs.add(out);
        }
        // every artifact but the records of time (epochs.csv, done.json): last.ckpt leaves the wall-clock columns to epochs.csv
        for (String f : List.of("config.json", "best.ckpt", "last.ckpt", "scores.txt"))
            assertArrayEquals(Files.readAllBytes(outs.get(0).resolve(f)), Files.readAllBytes(outs.get(1).resolve(f)), f + " differs between the checkouts");
        // the absolute root is kept, outside what is hashed or compared, in done.json
        assertTrue(Files.readString(outs.get(1).resolve("done.json")).contains("checkout-two"));
        // and a resume in the second checkout accepts the relative paths its last.ckpt records
        Path again = dir.resolve("checkout-one/runs/resumed");
        assertEquals(0, cli("train", "--config", dir.resolve("checkout-one/run.yaml").toString(), "--out", again.toString(), "--root",
                dir.resolve("checkout-one").toString(), "--stop-after", "1").rc());
        Run resumed = cli("train", "--config", dir.resolve("checkout-one/run.yaml").toString(), "--out", again.toString(), "--root",
                dir.resolve("checkout-one").toString(), "--resume");
        assertEquals(0, resumed.rc(), resumed.err());
        assertArrayEquals(Files.readAllBytes(outs.get(0).resolve("best.ckpt")), Files.readAllBytes(again.resolve("best.ckpt")), "resumed to the same bits");
        // the epoch trained before the interruption keeps its time: a resume reads it back from epochs.csv
        List<String> csv = Files.readAllLines(again.resolve("epochs.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        String firstEpochSeconds = csv.get(1).split(",", -1)[header.indexOf("seconds")];
        assertTrue(!firstEpochSeconds.isEmpty() && Double.parseDouble(firstEpochSeconds) > 0, "epoch 1 seconds after the resume: " + csv);
    }

    @Test
    void stopAfterIsHonouredAfterAResume() throws IOException {
        Path out = dir.resolve("stop-after");
        assertEquals(0, cli("train", "--config", config.toString(), "--out", out.toString(), "--stop-after", "1").rc());
        Run r = cli("train", "--config", config.toString(), "--out", out.toString(), "--resume", "--stop-after", "1");
        assertEquals(0, r.rc(), r.err());
        assertEquals(2, Files.readAllLines(out.resolve("epochs.csv")).size(), "header and epoch 1 only: epoch 2 was not trained");
        assertTrue(!Files.exists(out.resolve("done.json")));
    }

    @Test
    void yamlTabsAreReportedAtTheirLineWithTheCause() throws IOException {
        Path tab = dir.resolve("tab.yaml");
        Files.writeString(tab, Files.readString(config).replace("  batch: 2\n", "\tbatch: 2\n"));
        int line = Files.readString(config).substring(0, Files.readString(config).indexOf("  batch: 2")).split("\n", -1).length;
        Run r = cli("train", "--config", tab.toString(), "--check");
        assertOneLineError(r, "a tab", tab + ":" + line + ":");
        assertTrue(r.err().contains("tab character"), r.err());
    }

    @Test
    void aLongMissingFileListIsSummarisedWithWhereTheFullListIs() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 500; i++) sb.append(i % 2 == 0 ? "s1" : "s2").append(" missing/").append(i).append(".wav\n");
        Path list = dir.resolve("missing-train.txt");
        Files.writeString(list, sb.toString());
        Path cfg = dir.resolve("missing.yaml");
        Files.writeString(cfg, Files.readString(config).replace("train_list: train.txt", "train_list: missing-train.txt"));
        Run r = cli("train", "--config", cfg.toString(), "--check");
        assertOneLineError(r, "500 missing files", "missing/0.wav");
        assertTrue(r.err().length() < 2000 && r.err().contains("500 of 500") && !r.err().contains("missing/10.wav"), r.err());
        Matcher m = Pattern.compile("the full list is in (\\S+\\.txt)").matcher(r.err());
        assertTrue(m.find(), r.err());
        List<String> full = Files.readAllLines(Path.of(m.group(1)));
        assertEquals(500, full.size());
        assertTrue(full.get(499).contains("missing/499.wav"), full.get(499));
    }

    @Test
    void ledgerVerifyTellsAnEditedRecordFromNonDeterminismAndLeavesNoScratch() throws IOException {
        ObjectNode row = new ObjectMapper().createObjectNode().put("epoch", 1).put("loss", 1.25).put("eer", 0.2);
        ObjectNode rerun = new ObjectMapper().createObjectNode();
        rerun.putArray("history").add(row.deepCopy());
        rerun.putObject("environment").put("cpu", "same");
        ObjectNode record = rerun.deepCopy();
        ((ObjectNode) record.get("history").get(0)).put("eer", 0.05); // edited by hand
        org.voxkd.pipeline.Verifier.Outcome o = org.voxkd.pipeline.Verifier.judge(record, rerun, checkpoint, checkpoint);
        assertEquals(org.voxkd.pipeline.Verifier.Verdict.NOT_REPRODUCED, o.verdict());
        assertTrue(o.outOfTolerance().get(0).contains("edited") && !o.outOfTolerance().get(0).contains("this is a bug"), o.outOfTolerance().toString());
        // the scratch folder of `ledger verify` is removed however the command ends
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<String> before = scratch(tmp);
        Path results = dir.resolve("ledger-results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("ledger.jsonl"), "{\"id\":\"0123456789abcdef\",\"profile\":\"smoke\",\"status\":\"complete\"}\n");
        Run r = cli("ledger", "verify", "--results", results.toString(), "fedcba987654");
        assertEquals(2, r.rc(), r.out() + r.err());
        assertEquals(before, scratch(tmp), "ledger verify left its scratch folder");
    }

    static List<String> scratch(Path tmp) throws IOException {
        try (var s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("voxkd-verify")).sorted().toList();
        }
    }

    @Test
    void anImportedExportKeepsItsThresholdAndAChangedOneSaysWhy() throws IOException {
        Path st = dir.resolve("import/model.safetensors"), back = dir.resolve("import/back.ckpt");
        assertEquals(0, cli("export", "--checkpoint", checkpoint.toString(), "--format", "safetensors", "--out", st.toString()).rc());
        Run imp = cli("import", "--safetensors", st.toString(), "--like", checkpoint.toString(), "--out", back.toString());
        assertEquals(0, imp.rc(), imp.err());
        assertEquals(0.5, ModelFiles.load(back).threshold(), "the unchanged weights keep their validated threshold");
        // weights changed outside voxkd: no threshold, and the message says it was imported (not "saved without validation")
        Path changed = dir.resolve("import/changed.safetensors"), other = dir.resolve("import/other.ckpt");
        var c = org.voxkd.export.SafeTensors.read(st);
        Map<String, org.voxkd.export.SafeTensors.Tensor> t = new LinkedHashMap<>(c.tensors());
        String first = t.entrySet().stream().filter(e -> e.getValue().dtype().equals("F32")).findFirst().orElseThrow().getKey();
        var w = t.get(first);
        float[] f = w.floats().clone();
        f[0] += 0.25f;
        t.put(first, org.voxkd.export.SafeTensors.Tensor.f32(w.shape(), f));
        org.voxkd.export.SafeTensors.write(changed, t, c.metadata());
        assertEquals(0, cli("import", "--safetensors", changed.toString(), "--like", checkpoint.toString(), "--out", other.toString()).rc());
        Run v = cli(verify(other, wavA, wavB));
        assertOneLineError(v, "an imported checkpoint without threshold", other.toString());
        assertTrue(v.err().contains("imported from") && !v.err().contains("saved without validation"), v.err());
    }

    // ------------------------------------------------------------------ the fuzzer

    /** One corruption of a file's bytes, chosen by the seeded generator. */
    static byte[] corrupt(byte[] good, Random r, List<int[]> sizeFields) {
        byte[] b = good.clone();
        switch (r.nextInt(sizeFields.isEmpty() ? 4 : 5)) {
            case 0 -> { return Arrays.copyOf(good, r.nextInt(good.length)); } // truncation
            case 1 -> { for (int k = 1 + r.nextInt(8); k > 0; k--) b[r.nextInt(b.length)] = (byte) r.nextInt(256); } // flipped bytes
            case 2 -> { // a span of random bytes
                int at = r.nextInt(b.length), len = Math.min(b.length - at, 1 + r.nextInt(64));
                for (int i = at; i < at + len; i++) b[i] = (byte) r.nextInt(256);
            }
            case 3 -> { // bytes appended or inserted
                byte[] extra = new byte[1 + r.nextInt(32)];
                r.nextBytes(extra);
                int at = r.nextInt(b.length + 1);
                byte[] c = new byte[b.length + extra.length];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(extra, 0, c, at, extra.length);
                System.arraycopy(b, at, c, at + extra.length, b.length - at);
                return c;
            }
            default -> { // a huge or negative size in a header field {offset, bytes}
                int[] f = sizeFields.get(r.nextInt(sizeFields.size()));
                long[] values = {0xFFFFFFFFL, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFF0L, 0, 1, 0xFFFF};
                long v = values[r.nextInt(values.length)];
                for (int i = 0; i < f[1]; i++) b[f[0] + i] = (byte) (v >> (8 * i));
            }
        }
        return b;
    }

    /** Header size fields of a canonical 44-byte WAV: RIFF size, fmt size, format, channels, rate, byte rate, align, bits, data size. */
    static final List<int[]> WAV_FIELDS = List.of(new int[] {4, 4}, new int[] {16, 4}, new int[] {20, 2}, new int[] {22, 2}, new int[] {24, 4},
            new int[] {28, 4}, new int[] {32, 2}, new int[] {34, 2}, new int[] {40, 4});

    static final String[] YAML_VALUES = {"64.9", "'3'", "-1", "0", "[1, 2]", "{a: 1}", "~", "true", ".nan", "1e40", "99999999999", "\"\"", "x: y",
            "&a 1", "!!binary AAAA", "2.5"};

    /** A corrupted YAML configuration: a value replaced by one of the wrong type or range, a line duplicated, dropped or garbled. */
    static String corruptYaml(String good, Random r) {
        List<String> lines = new ArrayList<>(List.of(good.split("\n")));
        int i = 1 + r.nextInt(lines.size() - 1);
        String line = lines.get(i);
        switch (r.nextInt(6)) {
            case 0, 1 -> { // a value replaced
                int colon = line.lastIndexOf(':');
                if (colon > 0) lines.set(i, line.substring(0, colon + 1) + " " + YAML_VALUES[r.nextInt(YAML_VALUES.length)]);
                else lines.set(i, line + " " + YAML_VALUES[r.nextInt(YAML_VALUES.length)]);
            }
            case 2 -> lines.add(i, line); // a duplicate key
            case 3 -> lines.remove(i);
            case 4 -> lines.add(i, line.replaceAll("\\S.*", "") + "unknown_key: 1");
            default -> {
                char[] c = line.toCharArray();
                if (c.length > 0) c[r.nextInt(c.length)] = "{}[]:,#&*!|>'\"%@`\t".charAt(r.nextInt(18));
                lines.set(i, new String(c));
            }
        }
        return String.join("\n", lines) + "\n";
    }

    /** A corrupted list: a line garbled, a field dropped or added, a label out of range, a BOM, non-UTF-8 or NUL bytes. */
    static byte[] corruptList(String good, Random r) {
        List<String> lines = new ArrayList<>(List.of(good.split("\n")));
        int i = r.nextInt(lines.size());
        switch (r.nextInt(8)) {
            case 0 -> lines.set(i, lines.get(i) + " extra");
            case 1 -> lines.set(i, lines.get(i).replaceFirst("\\S+\\s*", ""));
            case 2 -> lines.set(i, lines.get(i).replaceFirst("^\\S+", r.nextBoolean() ? "2" : "-1"));
            case 3 -> lines.set(i, lines.get(i).replace(".wav", r.nextBoolean() ? ".wa" : ".wav/x"));
            case 4 -> lines.set(0, "\uFEFF" + lines.get(0));
            case 5 -> lines.set(i, lines.get(i).replace("s1", "s1\u0000"));
            case 6 -> lines.clear();
            default -> {
                byte[] b = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
                b[r.nextInt(b.length)] = (byte) (0x80 + r.nextInt(0x40));
                return b;
            }
        }
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A checkpoint written with a valid checksum around a bad model: huge or negative sizes, wrong types, NaN weights, a text threshold. */
    static Path forgedCheckpoint(Path f, Random r) throws IOException {
        ObjectNode meta = new ObjectMapper().createObjectNode();
        ObjectNode m = cfg.toTree().get("model").deepCopy();
        Map<String, NamedTensors.Tensor> t = new LinkedHashMap<>(NamedTensors.unpack(model.parameters(), weights[0], weights[1]));
        switch (r.nextInt(6)) {
            case 0 -> m.put("hidden", new int[] {4000, 2_000_000_000, -8, 0}[r.nextInt(4)]);
            case 1 -> m.put("embedding", "eight");
            case 2 -> m.remove("blocks");
            case 3 -> m.put("kind", "martian");
            case 4 -> t.values().iterator().next().data()[r.nextInt(3)] = new float[] {Float.NaN, Float.POSITIVE_INFINITY}[r.nextInt(2)];
            default -> meta.putObject("provenance").put("eer_threshold", "high");
        }
        meta.put("kind", "student");
        meta.set("model", m);
        Checkpoint.save(f, meta, t);
        return f;
    }

    @Test
    void seededCorruptionsEndInAResultOrOneLineNamingTheInput() throws IOException {
        Random r = new Random(13);
        byte[] goodWav = Files.readAllBytes(wavA), goodCkpt = Files.readAllBytes(checkpoint);
        String goodTrials = Files.readString(trials), goodPaths = Files.readString(paths), goodConfig = Files.readString(config);
        Path wavRoot = dir.resolve("wav");
        int cases = 0, errors = 0, results = 0;
        long t0 = System.nanoTime();
        Map<String, int[]> byKind = new LinkedHashMap<>();
        for (int k = 0; k < 320; k++) {
            String kind = List.of("wav", "float-wav", "checkpoint", "forged-checkpoint", "trials", "paths", "yaml").get(k % 7);
            String what = kind + " case " + k;
            long c0 = System.nanoTime();
            Run run;
            Path input;
            List<String> names = new ArrayList<>();
            switch (kind) {
                case "wav" -> {
                    input = dir.resolve("wav/s1/fuzz.wav");
                    Files.write(input, corrupt(goodWav, r, WAV_FIELDS));
                    run = cli(verify(checkpoint, input, wavB));
                    if (run.rc() == 0) assertEquals(reference(input, wavB), score(run.out()), 1e-6, what); // printed with 6 decimals
                }
                case "float-wav" -> {
                    float[] x = Wav.read(wavA);
                    for (int n = 1 + r.nextInt(3); n > 0; n--)
                        x[r.nextInt(x.length)] = new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e38f, 1e-45f}[r.nextInt(5)];
                    input = floatWav("wav/s1/fuzz-float.wav", x);
                    run = cli(verify(checkpoint, input, wavB));
                    if (run.rc() == 0) {
                        double s = score(run.out());
                        assertTrue(Double.isFinite(s) && Math.abs(s) <= 1 + 1e-6, what + ": score " + s);
                    }
                }
                case "checkpoint" -> {
                    input = dir.resolve("fuzz.ckpt");
                    Files.write(input, corrupt(goodCkpt, r, List.of(new int[] {19, 4})));
                    run = cli(verify(input, wavA, wavB));
                    if (run.rc() == 0) fail(what + ": a corrupted checkpoint was accepted: " + run.out());
                }
                case "forged-checkpoint" -> {
                    input = forgedCheckpoint(dir.resolve("forged.ckpt"), r);
                    run = cli(verify(input, wavA, wavB));
                    if (run.rc() == 0) fail(what + ": a malformed checkpoint was accepted: " + run.out());
                }
                case "trials" -> {
                    input = dir.resolve("fuzz-trials.txt");
                    Files.write(input, corruptList(goodTrials, r));
                    Path scores = dir.resolve("fuzz-scores.txt");
                    Files.deleteIfExists(scores);
                    names.add(wavRoot.toString()); // a path the corrupted list names
                    run = cli("eval", "--checkpoint", checkpoint.toString(), "--trials", input.toString(), "--root", wavRoot.toString(),
                            "--crops", "" + CROPS, "--frames", "" + FRAMES, "--threads", "1", "--scores", scores.toString());
                    if (run.rc() == 0)
                        for (String line : Files.readAllLines(scores)) assertTrue(Double.isFinite(Double.parseDouble(line.split(" ")[1])), what + ": " + line);
                }
                case "paths" -> {
                    input = dir.resolve("fuzz-paths.txt");
                    Files.write(input, corruptList(goodPaths, r));
                    Path out = dir.resolve("fuzz-emb.csv");
                    Files.deleteIfExists(out);
                    names.add(wavRoot.toString());
                    run = cli("embed", "--checkpoint", checkpoint.toString(), "--list", input.toString(), "--root", wavRoot.toString(),
                            "--crops", "" + CROPS, "--frames", "" + FRAMES, "--threads", "1", "--out", out.toString());
                    if (run.rc() == 0)
                        for (String line : Files.readAllLines(out).subList(1, Files.readAllLines(out).size()))
                            for (String v : line.substring(line.indexOf(',') + 1).split(",")) assertTrue(Double.isFinite(Double.parseDouble(v)), what + ": " + line);
                }
                default -> {
                    input = dir.resolve("fuzz.yaml");
                    Files.writeString(input, corruptYaml(goodConfig, r));
                    // what the configuration names: its lists, and the audio they list (under a root the corruption may have moved)
                    names.addAll(List.of(trainList.toString(), trials.toString(), wavRoot.toString(), "/s1/a.wav", "/s2/b.wav", "/s1/c.wav",
                            dir + "/")); // a path the corrupted configuration now names (e.g. train_list: '3')
                    run = cli("train", "--config", input.toString(), "--check");
                    if (run.rc() == 0) assertTrue(run.out().contains(": ok — "), what + ": " + run.out());
                }
            }
            cases++;
            int[] counts = byKind.computeIfAbsent(kind, x -> new int[3]);
            counts[run.rc() == 0 ? 0 : 1]++;
            counts[2] += (int) ((System.nanoTime() - c0) / 1_000_000);
            if (run.rc() == 0) results++;
            else {
                errors++;
                // the error names the corrupted file, or a file a corrupted list or configuration points at
                names.add(input.toString());
                assertOneLineError(run, what, names.toArray(String[]::new));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        StringBuilder s = new StringBuilder();
        byKind.forEach((k, v) -> s.append(' ').append(k).append(' ').append(v[0]).append('/').append(v[1]).append(" in ").append(v[2]).append(" ms;"));
        System.out.printf("fuzz: %d cases in %.1f s: %d results, %d one-line errors (results/errors by input:%s)%n", cases, seconds, results, errors, s);
        assertTrue(errors > cases / 2 && results > 10, errors + " errors, " + results + " results");
    }
}
