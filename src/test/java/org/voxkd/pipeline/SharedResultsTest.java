package org.voxkd.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.ledger.Ledger;
import org.voxkd.slurm.SlurmExecutor;

/**
 * Many processes on one results folder. First two `voxkd reproduce --profile smoke` (two JVMs) started together:
 * every run trained once, by one of them, recorded once. Then the same reproduction through a real Slurm (the
 * one-node cluster of tools/slurm-local.sh, which `make test` sets up) into the same results path — every run a job,
 * students after their teacher, each job running `voxkd train --run` — whose ledger must equal the in-process one:
 * the same ids, the same records bit for bit but for wall-clock fields. (Run ids hash the teacher's checkpoint path,
 * so the two reproductions use one results path: the in-process one is moved aside first.) The Slurm part is
 * skipped, saying why, where no such cluster answers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedResultsTest {
    /** Runs of the smoke profile: its arms × its seeds, read from the profile, not restated here. */
    static int smokeRuns() {
        try {
            Profile smoke = Profile.load(VoxkdProcesses.ROOT.resolve("experiments"), "smoke");
            return smoke.arms().size() * smoke.seeds().size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(1)
    void twoReproductionsShareOneResultsFolder() throws IOException {
        VoxkdProcesses.Concurrent c = VoxkdProcesses.concurrentSmoke();
        Assumptions.assumeTrue(Files.exists(c.results()), "the Slurm test ran first and moved the results aside");
        System.out.printf("two concurrent smoke reproductions: %.1f s%n", c.seconds());
        for (int k = 0; k < 2; k++) assertEquals(0, c.exitCodes().get(k), "reproduction " + k + " failed:\n" + c.outputs().get(k));
        Set<String> a = VoxkdProcesses.trained(c.outputs().get(0)), b = VoxkdProcesses.trained(c.outputs().get(1));
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        assertTrue(both.isEmpty(), "runs trained by both processes: " + both + "\n" + c.outputs());
        int expected = smokeRuns();
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        assertEquals(expected, all.size(), "runs trained: " + a + " + " + b);
        List<ObjectNode> records = new Ledger(c.results()).records();
        assertEquals(expected, records.size(), "ledger records");
        Set<String> ids = new HashSet<>();
        for (ObjectNode r : records) {
            assertTrue(ids.add(r.get("id").asText()), "duplicate ledger id " + r.get("id").asText());
            assertEquals("runs/" + r.get("id").asText(), r.get("dir").asText(), "a run trains into its own folder, never a second one");
        }
        assertEquals(all, ids, "the ledger holds exactly the runs trained");
        try (Stream<Path> s = Files.list(c.results().resolve("runs"))) {
            List<Path> dirs = s.toList();
            assertEquals(expected, dirs.size(), "run folders " + dirs);
            for (Path d : dirs) {
                assertFalse(Files.exists(d.resolve(Claim.FILE)), "claim left behind in " + d);
                assertFalse(Files.exists(d.resolve(RunJob.FAILED)), "failure in " + d);
                assertTrue(Files.exists(d.resolve("done.json")) && Files.exists(d.resolve(RunPlan.FILE)), d.toString());
            }
        }
    }

    static final Path CONF = Path.of(System.getenv().getOrDefault("VOXKD_SLURM_DIR", "/var/lib/voxkd-slurm"), "slurm.conf");

    /** Null when the test cluster answers, else why not. */
    static String unavailable() throws IOException, InterruptedException {
        if (!Files.isRegularFile(CONF))
            return "no Slurm test cluster: " + CONF + " is missing (make test sets one up with tools/slurm-local.sh setup, which needs root and apt-get; "
                    + "this runs as " + System.getProperty("user.name") + ")";
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder("sinfo", "--noheader", "--format=%t").redirectErrorStream(true);
            pb.environment().put("SLURM_CONF", CONF.toString());
            p = pb.start();
        } catch (IOException e) {
            return "no Slurm test cluster: sinfo cannot be run (" + e.getMessage() + ")";
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "no Slurm test cluster: sinfo did not answer within 30 s (SLURM_CONF=" + CONF + "; is slurmctld running? tools/slurm-local.sh setup starts it)";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0 || !(out.startsWith("idle") || out.startsWith("mix") || out.startsWith("alloc")))
            return "no Slurm test cluster: sinfo says '" + out + "' (exit " + p.exitValue() + "); tools/slurm-local.sh setup starts it";
        return null;
    }

    /** A process that died between done.json and its ledger append: the next attempt records the finished run, it does not train it again. */
    @Test
    @Order(2)
    void aFinishedRunMissingFromTheLedgerIsRecordedNotRetrained(@TempDir Path tmp) throws IOException {
        VoxkdProcesses.Concurrent c = VoxkdProcesses.concurrentSmoke();
        Assumptions.assumeTrue(Files.exists(c.results()), "the Slurm test ran first and moved the results aside");
        Path copy = tmp.resolve("results");
        try (Stream<Path> s = Files.walk(c.results())) {
            for (Path p : s.toList()) Files.copy(p, copy.resolve(c.results().relativize(p).toString()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        List<String> lines = Files.readAllLines(copy.resolve("ledger.jsonl"));
        String lost = lines.stream().filter(l -> l.contains("\"experiment\":\"v2-cosine\"")).findFirst().orElseThrow();
        lines.remove(lost);
        Files.write(copy.resolve("ledger.jsonl"), lines);
        JsonNode before = Ledger.JSON.readTree(lost);
        String dir = before.get("dir").asText();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream log = new java.io.PrintStream(bytes, true);
        RunJob.Attempt a = RunJob.attempt(VoxkdProcesses.ROOT, copy, dir, java.time.Duration.ofMinutes(5), "test", "TRAINING", log);
        assertEquals(RunJob.Result.RECORDED, a.result(), bytes.toString());
        assertFalse(bytes.toString().contains("TRAINING"), "not trained again: " + bytes);
        JsonNode after = new Ledger(copy).record(before.get("id").asText(), dir).orElseThrow();
        assertEquals(comparable(before), comparable(after));
        assertEquals(RunJob.Result.DONE, RunJob.attempt(VoxkdProcesses.ROOT, copy, dir, java.time.Duration.ofMinutes(5), "test", "TRAINING", log).result());
        assertEquals(lines.size() + 1, new Ledger(copy).records().size(), "recorded once");
    }

    @Test
    @Order(3)
    void smokeProfileThroughSlurmEqualsInProcess(@TempDir Path tmp) throws Exception {
        String why = unavailable();
        Assumptions.assumeTrue(why == null, why);
        VoxkdProcesses.Concurrent reference = VoxkdProcesses.concurrentSmoke();
        for (int k = 0; k < 2; k++) assertEquals(0, reference.exitCodes().get(k), reference.outputs().get(k));

        // Jobs run voxkd from this test's classpath (a fresh checkout has no target/voxkd.jar during mvn test), two at a
        // time (one CPU each) but with the reference's two BLAS threads: the bits do not depend on the thread count
        // (ThreadCountIndependenceTest), the recorded environment does, and it must be the same.
        Path launcher = tmp.resolve("voxkd.sh");
        StringBuilder sh = new StringBuilder("#!/bin/sh\nOPENBLAS_NUM_THREADS=2\nexport OPENBLAS_NUM_THREADS\nexec");
        for (String a : VoxkdProcesses.voxkd()) sh.append(' ').append(SlurmExecutor.quote(a));
        Files.writeString(launcher, sh.append(" \"$@\"\n").toString());
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path results = reference.results(), inProcessResults = results.resolveSibling("results-in-process"), report = tmp.resolve("report");
        if (!Files.exists(inProcessResults)) Files.move(results, inProcessResults);
        Map<String, String> env = Map.of("SLURM_CONF", CONF.toString());
        String[] submit = {"reproduce", "--profile", "smoke", "--executor", "slurm", "--root", VoxkdProcesses.ROOT.toString(), "--results", results.toString(),
                "--out", report.toString(), "--cpus-per-task", "1", "--time", "10:00", "--launcher", launcher.toString(), "--poll", "1"};

        long t0 = System.nanoTime();
        String out;
        try {
            out = voxkd(tmp, "submit", 900, env, append(submit, "--wait"));
        } finally {
            cancelJobs(results);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("smoke profile through Slurm: %.1f s (two concurrent in-process reproductions: %.1f s)%n", seconds, reference.seconds());
        assertTrue(out.contains("submitted job array"), out);
        assertTrue(out.contains("after aftercorr:"), "students wait for their seed's teacher:\n" + out);
        assertTrue(out.contains("report: profile smoke, " + smokeRuns() + " runs"), "the report is built once all jobs are done:\n" + out);

        Map<String, JsonNode> slurm = byId(results), inProcess = byId(inProcessResults);
        assertEquals(inProcess.keySet(), slurm.keySet(), "the same run ids");
        for (String id : inProcess.keySet()) {
            assertEquals(comparable(inProcess.get(id)), comparable(slurm.get(id)), "run " + id + ": the Slurm job's record differs from the in-process one");
            assertTrue(Files.exists(results.resolve("runs").resolve(id).resolve("train.log")), "the job's log is in its run folder");
        }

        String status = voxkd(tmp, "status", 120, env, append(submit, "--status"));
        assertTrue(status.contains(smokeRuns() + " runs: " + smokeRuns() + " done"), status);
        // submitting again finds everything done: nothing is submitted, the report is built
        String again = voxkd(tmp, "again", 300, env, submit);
        assertTrue(again.contains("nothing to submit: " + smokeRuns() + " runs: " + smokeRuns() + " done") && !again.contains("submitted job array"), again);
        assertTrue(again.contains("report: profile smoke, " + smokeRuns() + " runs"), again);
        assertEquals(slurm.keySet(), byId(results).keySet());
        assertEquals(smokeRuns(), new Ledger(results).records().size(), "no record twice");
    }

    /** Cancels whatever jobs of this test are still queued or running (after a failure: they would outlive it). */
    static void cancelJobs(Path results) throws IOException, InterruptedException {
        Path jobs = results.resolve("slurm/jobs");
        if (!Files.isDirectory(jobs)) return;
        Set<String> arrays = new java.util.TreeSet<>();
        try (Stream<Path> s = Files.list(jobs)) {
            for (Path f : s.toList()) arrays.add(Ledger.JSON.readTree(f.toFile()).path("array_job").asText());
        }
        if (arrays.isEmpty()) return;
        List<String> cmd = new java.util.ArrayList<>(List.of("scancel"));
        cmd.addAll(arrays);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("SLURM_CONF", CONF.toString());
        pb.start().waitFor(30, TimeUnit.SECONDS);
    }

    static String[] append(String[] a, String... more) {
        String[] out = java.util.Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }

    static String voxkd(Path tmp, String name, long seconds, Map<String, String> env, String... args) throws Exception {
        Path log = tmp.resolve(name + ".txt");
        int code = VoxkdProcesses.finish(VoxkdProcesses.start(log, env, args), seconds, log);
        String out = Files.readString(log);
        assertEquals(0, code, "voxkd " + String.join(" ", args) + ":\n" + out);
        return out;
    }

    static Map<String, JsonNode> byId(Path results) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        for (ObjectNode r : new Ledger(results).records()) out.put(r.get("id").asText(), r);
        return out;
    }

    /** A record without what measures the machine's speed or the clock: the rest must be identical. */
    static JsonNode comparable(JsonNode record) {
        ObjectNode r = record.deepCopy();
        for (String k : List.of("start", "end", "seconds", "cpu_seconds", "train_samples_per_s")) r.remove(k);
        for (JsonNode h : (ArrayNode) r.get("history")) ((ObjectNode) h).remove(List.of("samples_per_s", "seconds"));
        ((ObjectNode) r.get("artifacts")).remove("epochs.csv"); // its rows carry the epochs' seconds and samples/s
        return r;
    }
}
