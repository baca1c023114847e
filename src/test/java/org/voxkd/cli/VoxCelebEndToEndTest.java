package org.voxkd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.voxkd.audio.Wav;
import org.voxkd.data.Lists;
import org.voxkd.data.TestFiles;

/**
 * A fake VoxCeleb1+2 download in the official layouts — VoxCeleb1 {@code wav/idXXXXX/VIDEO/NNNNN.wav}, VoxCeleb2
 * {@code dev/aac/idXXXXX/VIDEO/NNNNN.m4a} made by ffmpeg here, an official-style test list, MUSAN and RIR folders, all under a
 * folder whose name holds a space and one video folder with a space — through {@code data prepare voxceleb} → {@code train}
 * (a tiny student, one short epoch) → {@code eval} with AS-norm and calibration, end to end.
 *
 * <p>ffmpeg is needed (VoxCeleb2 is AAC); {@code make test} installs it on Debian as root (target {@code ffmpeg-runtime}).
 * Without it the test says so and is skipped, apart from the check that its absence is a clear error.
 */
class VoxCelebEndToEndTest {
    static Path top, vox1, vox2, testList, musan, rirs, out;
    static boolean ffmpeg;

    /** A voice: a speaker's pitch and harmonic colour, varied a little per utterance, plus noise. */
    static float[] voice(int speaker, int utterance, int samples) {
        SplittableRandom r = new SplittableRandom(speaker * 1000L + utterance);
        double f0 = (95 + 23 * speaker) * (1 + 0.03 * (r.nextDouble() - 0.5));
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) {
            double t = i / 16000.0, v = 0;
            for (int h = 1; h <= 6; h++) v += Math.sin(2 * Math.PI * f0 * h * t + h) * (1.0 / h) * (1 + 0.8 * Math.sin(speaker * 1.7 + h));
            x[i] = (float) (0.12 * v + 0.02 * (r.nextDouble() - 0.5));
        }
        return x;
    }

    static void wav(Path p, float[] x) throws IOException {
        Files.createDirectories(p.getParent());
        Wav.write(p, x, 16000);
    }

    static int sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @BeforeAll
    static void tree() throws Exception {
        top = Files.createTempDirectory("voxkd-vox e2e");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TestFiles.deleteTree(top)));
        try {
            ffmpeg = sh("ffmpeg", "-version") == 0;
        } catch (IOException e) {
            ffmpeg = false;
        }
        vox1 = top.resolve("VoxCeleb1");
        vox2 = top.resolve("VoxCeleb2");
        // VoxCeleb1: 6 speakers (id10001, id10002 are the test speakers), 2 videos x 3 utterances; one video folder with a space
        for (int s = 1; s <= 6; s++)
            for (int v = 0; v < 2; v++)
                for (int u = 1; u <= 3; u++)
                    wav(vox1.resolve("wav/id1000" + s + "/" + (s == 3 && v == 1 ? "vid b" : "vid" + (char) ('a' + v)) + "/0000" + u + ".wav"), voice(s, v * 10 + u, 12800));
        Files.writeString(vox1.resolve("wav/id10001/README.txt"), "not an utterance: reported, not listed\n");
        testList = top.resolve("veri_test2.txt");
        Files.writeString(testList, """
                1 id10001/vida/00001.wav id10001/vidb/00002.wav
                0 id10001/vida/00001.wav id10002/vida/00001.wav
                1 id10002/vida/00002.wav id10002/vidb/00003.wav
                0 id10002/vidb/00001.wav id10001/vidb/00003.wav
                1 id10001/vida/00003.wav id10001/vidb/00001.wav
                0 id10001/vida/00002.wav id10002/vidb/00002.wav
                """);
        musan = top.resolve("musan");
        for (String k : new String[] {"noise", "speech", "music"}) wav(musan.resolve(k + "/a/" + k + "-0001.wav"), voice(40, 1, 8000));
        rirs = top.resolve("RIRS_NOISES/simulated_rirs");
        float[] rir = new float[400];
        rir[0] = 1;
        rir[100] = 0.3f;
        wav(rirs.resolve("smallroom/Room001/Room001-00001.wav"), rir);
        out = top.resolve("prepared data");
        if (!ffmpeg) return;
        // VoxCeleb2: 4 speakers, 2 videos x 2 utterances, AAC in .m4a as distributed (encoded two at a time)
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> made = new ArrayList<>();
        for (int s = 1; s <= 4; s++)
            for (int v = 0; v < 2; v++)
                for (int u = 1; u <= 2; u++) {
                    Path w = top.resolve("tmp/" + s + v + u + ".wav");
                    wav(w, voice(10 + s, v * 10 + u, 12800));
                    Path m = vox2.resolve("dev/aac/id0000" + s + "/v" + v + "/0000" + u + ".m4a");
                    Files.createDirectories(m.getParent());
                    made.add(pool.submit(() -> sh("ffmpeg", "-nostdin", "-loglevel", "error", "-i", w.toString(), "-c:a", "aac", "-b:a", "48k", "-y", m.toString())));
                }
        for (Future<Integer> f : made) assertEquals(0, f.get(), "ffmpeg made an .m4a");
        pool.shutdown();
    }

    record Run(int rc, String out, String err) {}

    static Run voxkd(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bo, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(be, true, StandardCharsets.UTF_8));
        int rc;
        try {
            picocli.CommandLine cl = Main.commandLine();
            cl.setOut(new java.io.PrintWriter(System.out, true));
            cl.setErr(new java.io.PrintWriter(System.err, true));
            rc = cl.execute(args);
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        return new Run(rc, bo.toString(StandardCharsets.UTF_8), be.toString(StandardCharsets.UTF_8));
    }

    String[] prepare(Path outDir, String... extra) {
        List<String> a = new ArrayList<>(List.of("data", "prepare", "voxceleb", "--vox1", vox1.toString(), "--vox2", vox2.toString(),
                "--test-list", testList.toString(), "--musan", musan.toString(), "--rirs", rirs.toString(), "--out", outDir.toString(),
                "--val-speakers", "3", "--val-trials", "16", "--seed", "7", "--jobs", "2", "--progress", "0.2"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void missingFfmpegIsAClearErrorBeforeAnythingIsConverted() throws IOException {
        Assumptions.assumeTrue(ffmpeg, "ffmpeg is not installed: the fake VoxCeleb2 .m4a files cannot be made (make test installs it as root on Debian)");
        Path o = top.resolve("no-ffmpeg");
        Run r = voxkd(prepare(o, "--ffmpeg", top.resolve("no such ffmpeg").toString()));
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("ffmpeg is needed to convert 16 VoxCeleb2 .m4a files") && r.err().contains("apt-get install ffmpeg")
                && r.err().contains("--ffmpeg PATH"), r.err());
        assertFalse(Files.exists(o.resolve("train_list.txt")));
    }

    @Test
    void badAugmentationFolderAndUnknownTestPathAreRefused() throws IOException {
        Path o = top.resolve("refused");
        Path noMusic = top.resolve("musan-no-music");
        wav(noMusic.resolve("noise/n.wav"), voice(1, 1, 800));
        wav(noMusic.resolve("speech/s.wav"), voice(1, 1, 800));
        List<String> a = new ArrayList<>(List.of(prepare(o)));
        a.set(a.indexOf(musan.toString()), noMusic.toString());
        a.set(a.indexOf("--vox2") + 1, vox1.toString()); // VoxCeleb2 not needed for these refusals
        a.remove(a.indexOf("--vox2") + 1);
        a.remove("--vox2");
        Run r = voxkd(a.toArray(String[]::new));
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains("MUSAN folder " + noMusic + ": music/ is missing"), r.err());
        Path badList = top.resolve("bad test list.txt");
        Files.writeString(badList, "1 id10001/vida/00001.wav id10001/vidz/00009.wav\n");
        a = new ArrayList<>(List.of("data", "prepare", "voxceleb", "--vox1", vox1.toString(), "--test-list", badList.toString(), "--out", o.toString(),
                "--val-speakers", "2", "--val-trials", "10"));
        r = voxkd(a.toArray(String[]::new));
        assertEquals(2, r.rc(), r.err());
        assertTrue(r.err().contains(badList + ": 1 of 2 paths are not in the given VoxCeleb folders, e.g. id10001/vidz/00009.wav"), r.err());
        assertFalse(Files.exists(o.resolve("wav")), "nothing written before the inputs are checked");
    }

    @Test
    void prepareTrainEvalEndToEnd() throws Exception {
        Assumptions.assumeTrue(ffmpeg, "ffmpeg is not installed: the VoxCeleb2 part (AAC .m4a) cannot run; make test installs it as root on Debian");
        // 1. prepare
        long t0 = System.nanoTime();
        Run p = voxkd(prepare(out));
        System.out.printf("prepare %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, p.rc(), p.out() + p.err());
        assertTrue(p.err().contains("converted 16/16 (100.0%)") && p.err().contains("ETA"), p.err());
        assertTrue(p.err().contains("VoxCeleb1 " + vox1.resolve("wav") + ": left out 1 files not at SPEAKER/VIDEO/UTT depth, e.g. id10001/README.txt"), p.err());
        assertTrue(p.out().contains("audio: 16 VoxCeleb2 files converted now, 0 already converted"), p.out());
        List<Lists.Utterance> train = Lists.readTrainList(out.resolve("train_list.txt"));
        List<Lists.Trial> val = Lists.readTrialList(out.resolve("val_trials.txt")), test = Lists.readTrialList(out.resolve("test_trials.txt"));
        Set<String> trainSpk = new HashSet<>(Lists.speakers(train)), valSpk = new HashSet<>(), testSpk = new HashSet<>();
        for (Lists.Trial t : val) { valSpk.add(t.enroll().split("/")[0]); valSpk.add(t.test().split("/")[0]); }
        for (Lists.Trial t : test) { testSpk.add(t.enroll().split("/")[0]); testSpk.add(t.test().split("/")[0]); }
        assertEquals(Set.of("id10001", "id10002"), testSpk);
        assertEquals(3, valSpk.size(), "--val-speakers 3");
        assertEquals(10 - 2 - 3, trainSpk.size(), "10 speakers less 2 test and 3 validation speakers");
        for (String s : valSpk) assertFalse(trainSpk.contains(s) || testSpk.contains(s), "validation speaker " + s + " is held out");
        for (String s : testSpk) assertFalse(trainSpk.contains(s), "test speaker " + s + " removed from training");
        assertEquals(16, val.size());
        assertEquals(8, val.stream().filter(t -> t.label() == 1).count());
        assertEquals(test, Lists.readTrialList(testList));
        // VoxCeleb2 converted to 16 kHz mono WAV under the same names; VoxCeleb1 linked, the space in "vid b" quoted in the list
        Wav.Info info = Wav.probe(out.resolve("wav/id00001/v0/00001.wav"), 16000);
        assertEquals(1, info.channels());
        assertTrue(Math.abs(info.frames() - 12800) < 2000, "duration kept: " + info.frames());
        if (trainSpk.contains("id10003")) assertTrue(Files.readString(out.resolve("train_list.txt")).contains("\"id10003/vid b/00001.wav\""));
        assertTrue(Files.isSymbolicLink(out.resolve("musan")) && Files.isSymbolicLink(out.resolve("rirs")));

        // 2. resumable and never overwriting: a second run converts nothing and leaves every finished file as it was
        Path done = out.resolve("wav/id00002/v1/00002.wav");
        Object inode = Files.readAttributes(done, BasicFileAttributes.class).fileKey();
        Files.delete(out.resolve("wav/id00003/v0/00001.wav")); // as if interrupted before this file
        Files.writeString(out.resolve("wav/id00003/v0/.00001.wav.partial-999999999.wav"), "half a file from a killed run");
        Run again = voxkd(prepare(out));
        assertEquals(0, again.rc(), again.err());
        assertTrue(again.out().contains("audio: 1 VoxCeleb2 files converted now, 15 already converted"), again.out());
        assertTrue(again.err().contains("removed 1 partial files left by an interrupted run"), again.err());
        assertTrue(again.out().contains("train_list.txt (unchanged)"), again.out());
        assertEquals(inode, Files.readAttributes(done, BasicFileAttributes.class).fileKey(), "a finished file is never rewritten");
        String[] seed8 = prepare(out);
        seed8[List.of(seed8).indexOf("--seed") + 1] = "8";
        Run otherSeed = voxkd(seed8);
        assertEquals(2, otherSeed.rc());
        assertTrue(otherSeed.err().contains("exists with other content") && otherSeed.err().contains("refusing to replace it"), "out: " + otherSeed.out() + " err: " + otherSeed.err());

        // 3. train a tiny student on the prepared folder; config paths relative to the config file
        Path yaml = out.resolve("tiny.yaml");
        Files.writeString(yaml, """
                seed: 1
                model: {kind: student, hidden: 12, blocks: 1, expansion: 2, groups: 2, embedding: 16}
                optim: {batch: 8, epochs: 1, lr: 0.003}
                data: {train_list: train_list.txt, train_root: wav, val_trials: val_trials.txt, test_trials: test_trials.txt, trial_root: wav,
                       max_frames: 40, workers: 1, augment: true, musan: musan, rirs: rirs}
                eval: {interval: 1, crops: 2, frames: 40}
                """);
        Path run = top.resolve("run");
        long t1 = System.nanoTime();
        Run t = voxkd("train", "--config", yaml.toString(), "--out", run.toString());
        System.out.printf("train %.1f s%n", (System.nanoTime() - t1) / 1e9);
        assertEquals(0, t.rc(), t.out() + t.err());
        assertTrue(Files.exists(run.resolve("best.ckpt")));

        // 4. eval with AS-norm (cohort: the training speakers) and calibration on the validation list
        Run e = voxkd("eval", "--checkpoint", run.resolve("best.ckpt").toString(), "--trials", out.resolve("test_trials.txt").toString(),
                "--root", out.resolve("wav").toString(), "--val-trials", out.resolve("val_trials.txt").toString(), "--cohort", out.resolve("train_list.txt").toString(),
                "--cohort-root", out.resolve("wav").toString(), "--top-n", "4", "--crops", "2", "--frames", "40", "--threads", "1",
                "--det", top.resolve("det").toString(), "--norm-scores", top.resolve("norm.txt").toString());
        assertEquals(0, e.rc(), e.out() + e.err());
        String o = e.out();
        System.out.println(p.out() + t.out().lines().filter(l -> l.contains("epoch") || l.contains("test")).reduce("", (a, b) -> a + b + "\n") + o);
        assertTrue(o.contains("AS-norm: cohort of 5 training speakers (3 utterances each at most"), o);
        assertTrue(o.contains("top-N 4"), o);
        for (String n : new String[] {"raw", "AS-norm"}) assertTrue(o.contains(n + " scores: EER "), o);
        assertTrue(o.contains("actual DCF") && o.contains("(P_target 0.05, C_miss 1, C_fa 1)") && o.contains("(P_target 0.01, C_miss 1, C_fa 1)"), o);
        assertTrue(o.contains("Cllr") && o.contains("minCllr") && o.contains("calibration (fitted on the validation list): llr = "), o);
        assertTrue(o.contains("at the validation EER threshold"), o);
        assertTrue(Files.readString(top.resolve("det.svg")).contains("<polyline") && Files.readString(top.resolve("det.pgf")).contains("\\addplot"));
        assertEquals(test.size(), Files.readAllLines(top.resolve("norm.txt")).size(), "one AS-norm score per test trial");
    }
}
