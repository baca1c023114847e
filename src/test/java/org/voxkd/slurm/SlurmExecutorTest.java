package org.voxkd.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.pipeline.Claim;
import org.voxkd.pipeline.Profile;
import org.voxkd.pipeline.Reproducer;
import org.voxkd.pipeline.RunJob;
import org.voxkd.pipeline.RunPlan;

/**
 * What the Slurm executor submits and how it reads states, without a cluster (the real one is SharedResultsTest's):
 * job arrays per arm over seeds, task-by-task dependencies on the teacher's array, a job dependency on a run already
 * queued, the batch script from a template, and the status of every run from Slurm's answers and the run folder.
 */
class SlurmExecutorTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());
    static List<RunPlan> plan;
    static Path results;

    @BeforeAll
    static void planSmoke(@TempDir Path tmp) throws IOException {
        results = tmp.resolve("results");
        plan = new Reproducer(ROOT, results, Profile.load(ROOT.resolve("experiments"), "smoke"), null, null, null, false, null, QUIET).plan();
    }

    static SlurmExecutor executor(Path template) {
        return new SlurmExecutor(new SlurmExecutor.Options("gpu", "speech", "2:00:00", 1, 4, "16G", List.of("--qos=short"), template, "/opt/voxkd/bin/voxkd",
                Duration.ofMinutes(5), Duration.ofSeconds(1), false), new Slurm(), QUIET);
    }

    static RunPlan run(String arm, long seed) {
        return plan.stream().filter(r -> r.experiment.equals(arm) && r.seed == seed).findFirst().orElseThrow();
    }

    @Test
    void oneArrayPerArmStudentsAfterTheirSeedsTeacher() {
        List<SlurmExecutor.Group> g = SlurmExecutor.groups(plan, Map.of(), Set.of(), List.of(1L, 2L));
        int arms = (int) plan.stream().map(r -> r.experiment).distinct().count();
        assertEquals(arms, g.size());
        assertEquals("teacher", g.get(0).arm());
        assertEquals(List.of(0, 1), g.get(0).tasks());
        assertEquals(List.of(run("teacher", 1), run("teacher", 2)), g.get(0).runs());
        for (SlurmExecutor.Group s : g.subList(1, arms)) {
            assertEquals(List.of(0, 1), s.tasks(), s.arm());
            boolean kd = !s.arm().endsWith("nokd");
            assertEquals(kd ? List.of(0) : List.of(), s.afterGroups(), s.arm() + ": distils from the teacher array's task of its seed");
            assertTrue(s.afterJobs().isEmpty());
        }
    }

    @Test
    void aQueuedTeacherIsWaitedForByJobAndADoneOneNotAtAll() {
        // seed 1's teacher is done, seed 2's is queued as job 41_1: only students are submitted
        Set<String> done = Set.of(run("teacher", 1).dir);
        Map<String, String> active = Map.of(run("teacher", 2).dir, "41_1");
        List<RunPlan> submit = plan.stream().filter(r -> !r.experiment.equals("teacher")).toList();
        List<SlurmExecutor.Group> g = SlurmExecutor.groups(submit, active, done, List.of(1L, 2L));
        SlurmExecutor.Group mse1 = g.stream().filter(x -> x.runs().contains(run("v1-mse", 1))).findFirst().orElseThrow();
        SlurmExecutor.Group mse2 = g.stream().filter(x -> x.runs().contains(run("v1-mse", 2))).findFirst().orElseThrow();
        assertEquals(List.of(0), mse1.tasks());
        assertTrue(mse1.afterGroups().isEmpty() && mse1.afterJobs().isEmpty(), "its teacher is done");
        assertEquals(List.of(1), mse2.tasks());
        assertEquals(List.of("41_1"), mse2.afterJobs());
        SlurmExecutor.Group nokd = g.stream().filter(x -> x.arm().equals("v2-nokd")).findFirst().orElseThrow();
        assertEquals(List.of(0, 1), nokd.tasks(), "no teacher: one array for both seeds");
        // a run whose needed run is neither done, queued nor submitted before it is a bug in the caller
        assertThrows(IllegalStateException.class, () -> SlurmExecutor.groups(submit, Map.of(), Set.of(), List.of(1L, 2L)));
    }

    @Test
    void batchScriptFromTheOptionsAndATemplate(@TempDir Path tmp) throws IOException {
        SlurmExecutor.Group teacher = SlurmExecutor.groups(plan, Map.of(), Set.of(), List.of(1L, 2L)).get(0);
        String s = executor(null).script(teacher, ROOT, results);
        assertTrue(s.startsWith("#!/bin/bash\n#SBATCH --job-name=voxkd-smoke-teacher\n#SBATCH --array=0,1\n"), s);
        for (String d : List.of("--partition=gpu", "--account=speech", "--time=2:00:00", "--gpus=1", "--cpus-per-task=4", "--mem=16G", "--qos=short",
                "--chdir=" + ROOT, "--output=" + results + "/slurm/logs/%x-%A_%a.out"))
            assertTrue(s.contains("#SBATCH " + d + "\n"), d + " in\n" + s);
        assertTrue(s.contains("  0) run=" + run("teacher", 1).dir + " ;;\n  1) run=" + run("teacher", 2).dir + " ;;\n"), s);
        assertTrue(s.contains("exec '/opt/voxkd/bin/voxkd' train --root '" + ROOT + "' --results '" + results + "' --run \"$run\" --stale-after 300 >> '"
                + results + "'/\"$run\"/train.log 2>&1"), s);
        Path t = tmp.resolve("site.sbatch");
        Files.writeString(t, "#!/bin/bash -l\n{{sbatch}}\n#SBATCH --constraint=a100\nmodule load java/21\n{{run}}\n");
        String site = executor(t).script(teacher, ROOT, results);
        assertTrue(site.startsWith("#!/bin/bash -l\n#SBATCH --job-name=voxkd-smoke-teacher\n") && site.contains("#SBATCH --constraint=a100\nmodule load java/21\ncase "),
                site);
        Files.writeString(t, "#!/bin/bash\n{{sbatch}}\n");
        IOException e = assertThrows(IOException.class, () -> executor(t).script(teacher, ROOT, results));
        assertTrue(e.getMessage().contains("has no {{run}} placeholder"), e.getMessage());
        assertEquals("'it'\\''s'", SlurmExecutor.quote("it's"));
    }

    @Test
    void statusFromTheQueueAccountingAndTheRunFolder(@TempDir Path tmp) throws IOException {
        Path res = tmp.resolve("results");
        RunPlan r = run("v2-cosine", 1);
        Duration stale = Duration.ofMinutes(5);
        Map<String, Slurm.JobState> none = Map.of();
        assertEquals(SlurmExecutor.State.DONE, SlurmExecutor.classify(r, res, true, "7_0", none, none, stale).state());
        assertEquals(SlurmExecutor.State.NOT_SUBMITTED, SlurmExecutor.classify(r, res, false, null, none, none, stale).state());
        SlurmExecutor.RunStatus q = SlurmExecutor.classify(r, res, false, "7_0", Map.of("7_0", new Slurm.JobState("PENDING", "Dependency")), none, stale);
        assertEquals(SlurmExecutor.State.QUEUED, q.state());
        assertEquals("pending, Dependency", q.detail());
        assertEquals(SlurmExecutor.State.RUNNING, SlurmExecutor.classify(r, res, false, "7_0", Map.of("7_0", new Slurm.JobState("RUNNING", "None")), none, stale).state());
        // ended: sacct's state, or (no accounting) what the folder shows
        SlurmExecutor.RunStatus t = SlurmExecutor.classify(r, res, false, "7_0", none, Map.of("7_0", new Slurm.JobState("TIMEOUT", "exit code 0:15")), stale);
        assertEquals(SlurmExecutor.State.FAILED, t.state());
        assertTrue(t.detail().startsWith("Slurm: TIMEOUT exit code 0:15; job 7_0 ended before voxkd started"), t.detail());
        Path dir = r.runDir(res);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("train.log"), "...");
        assertTrue(SlurmExecutor.classify(r, res, false, "7_0", none, null, stale).detail().contains("ended without a ledger record; see runs/"));
        Files.writeString(dir.resolve(RunJob.FAILED), "{\"error\": \"loss became NaN at epoch 2\", \"host\": \"node3\", \"time\": \"t\"}");
        SlurmExecutor.RunStatus f = SlurmExecutor.classify(r, res, false, "7_0", Map.of("7_0", new Slurm.JobState("FAILED", "NonZeroExitCode")), null, stale);
        assertEquals(SlurmExecutor.State.FAILED, f.state());
        assertEquals("Slurm: FAILED NonZeroExitCode; loss became NaN at epoch 2 (node3, t)", f.detail());
        // a live claim (e.g. an in-process reproduction training it) counts as running, whatever the queue says
        try (Claim c = Claim.tryAcquire(dir, stale, "voxkd reproduce --profile smoke", QUIET).orElseThrow()) {
            SlurmExecutor.RunStatus held = SlurmExecutor.classify(r, res, false, null, none, null, stale);
            assertEquals(SlurmExecutor.State.RUNNING, held.state());
            assertTrue(held.detail().startsWith("held by " + Claim.HOST), held.detail());
        }
    }
}
