package org.voxkd.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.voxkd.io.FileLocks;
import org.voxkd.pipeline.Executor;
import org.voxkd.pipeline.InProcessExecutor;
import org.voxkd.pipeline.Profile;
import org.voxkd.pipeline.Reproducer;
import org.voxkd.pipeline.RunPlan;
import org.voxkd.slurm.Slurm;
import org.voxkd.slurm.SlurmExecutor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd reproduce`: every experiment of the report under one profile, then the report. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = {"Generate the corpus if needed, train the teacher and every student (skipping runs already in the ledger), then build the report.",
                "Several reproductions may share one results folder: each run is claimed by one process, the others wait for it (or --on-claimed skip).",
                "--executor slurm submits one job per run (job arrays over seeds, students after their teacher); --status shows where each run stands;",
                "the report is built once every run is done: with --wait, or by running the same command again."})
public final class ReproduceCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--profile", defaultValue = "default", completionCandidates = ProfileNames.class,
            description = "A profile of experiments/profiles: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).") String profile;
    @Option(names = "--results", defaultValue = "results", description = "Results directory (ledger.jsonl, runs/) (default: ${DEFAULT-VALUE}).") Path results;
    @Option(names = "--out", defaultValue = "paper/generated", description = "Where the report goes (default: ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--root", defaultValue = ".", description = "Project root (experiments/, data/) (default: ${DEFAULT-VALUE}).") Path root;
    @Option(names = "--data", description = "Directory of your lists and audio (profile paper).") Path data;
    @Option(names = "--force", description = "Re-run runs that the ledger already holds (into new folders runs/ID.2, ...).") boolean force;
    @Option(names = "--backend", description = "cpu or opencl (overrides the experiments).") String backend;
    @Option(names = "--device", description = "Device index or name substring (opencl).") String device;
    @picocli.CommandLine.Mixin NumericsOption numerics = new NumericsOption();
    @Option(names = "--no-report", description = "Skip building the report.") boolean noReport;
    @Option(names = "--no-deploy", description = "Skip the profile's deployment study (another worker on the same results runs it).") boolean noDeploy;
    @Option(names = "--seeds", split = ",", description = "Training seeds, overriding the profile's (e.g. --seeds 1,2,3).") List<Long> seeds;
    @Option(names = "--arms", split = ",", description = "Only these arms (and the arms they need, e.g. the teacher), e.g. --arms v2-cosine.") List<String> arms;

    @Option(names = "--executor", defaultValue = "in-process", description = "in-process or slurm (default: ${DEFAULT-VALUE}).") String executor;
    @Option(names = "--on-claimed", defaultValue = "wait",
            description = "A run another live process is training: wait for it, or skip it and the runs needing it (default: ${DEFAULT-VALUE}).") String onClaimed;
    @Option(names = "--stale-after", defaultValue = "300",
            description = "Seconds without a heartbeat after which a run's claim is stale and taken over (default: ${DEFAULT-VALUE}).") long staleAfter;
    @Option(names = "--poll", description = "Seconds between looks at claims or at the Slurm queue (default: 5 in-process, 15 for slurm).") Double poll;

    @Option(names = "--status", description = "slurm: show queued / running / done / failed for every run, and submit nothing.") boolean status;
    @Option(names = "--wait", description = "slurm: after submitting, wait until every job has ended, then build the report.") boolean await;
    @Option(names = "--partition", description = "slurm: partition (sbatch --partition).") String partition;
    @Option(names = "--account", description = "slurm: account (sbatch --account).") String account;
    @Option(names = "--time", description = "slurm: time limit per job, e.g. 4:00:00 (sbatch --time).") String time;
    @Option(names = "--gpus", description = "slurm: GPUs per job (sbatch --gpus).") Integer gpus;
    @Option(names = "--cpus-per-task", description = "slurm: CPUs per job (sbatch --cpus-per-task).") Integer cpus;
    @Option(names = "--mem", description = "slurm: memory per job, e.g. 16G (sbatch --mem).") String mem;
    @Option(names = "--sbatch-line", description = "slurm: one more #SBATCH option for every job, e.g. --sbatch-line=--qos=short (repeatable).") List<String> sbatchLines;
    @Option(names = "--sbatch-template", description = "slurm: a batch script with {{sbatch}} (the #SBATCH lines) and {{run}} (the job's commands), e.g. to load modules.")
    Path template;
    @Option(names = "--launcher", description = "slurm: the command a job runs voxkd with (default: ROOT/bin/voxkd).") String launcher;

    @Override public Integer call() throws Exception {
        Profile p = Profile.load(root.resolve("experiments"), profile);
        boolean slurm = switch (executor) {
            case "in-process" -> false;
            case "slurm" -> true;
            default -> throw new IllegalArgumentException("--executor must be in-process or slurm, got " + executor);
        };
        if ((status || await) && !slurm) throw new IllegalArgumentException("--status and --wait are for --executor slurm");
        InProcessExecutor.OnClaimed claimed = InProcessExecutor.OnClaimed.parse(onClaimed);
        if (staleAfter < 1) throw new IllegalArgumentException("--stale-after must be at least 1 second");
        Duration stale = Duration.ofSeconds(staleAfter), every = Duration.ofMillis(Math.round(1000 * (poll != null ? poll : slurm ? 15 : 5)));
        Path res = results.toAbsolutePath().normalize(), rt = root.toAbsolutePath().normalize();
        SlurmExecutor cluster = slurm ? new SlurmExecutor(new SlurmExecutor.Options(partition, account, time, gpus, cpus, mem, sbatchLines,
                template, launcher, stale, every, await), new Slurm(), System.out) : null;
        if (status) {
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            List<RunPlan> plan = new Reproducer(rt, res, p, cluster, backend, device, numerics.mode, false, data, quiet).withSeeds(seeds).withArms(arms).plan();
            SlurmExecutor.print(cluster.status(plan, res), System.out);
            return 0;
        }
        Executor ex = slurm ? cluster : new InProcessExecutor(System.out).claims(claimed, stale, every).command("voxkd reproduce --profile " + profile);
        Reproducer r = new Reproducer(rt, res, p, ex, backend, device, numerics.mode, force, data, System.out).withSeeds(seeds).withArms(arms).withDeploy(!noDeploy);
        int have = r.run().size(), want = r.planned().size();
        if (have < want) {
            System.out.printf("%d of %d runs are in the ledger; the report is built once all are%s%n", have, want,
                    slurm ? " (add --wait, or run this command again when the jobs are done)" : " (the processes holding the others build it when they finish)");
            return 0;
        }
        // two reproductions finishing together both build it: one after the other
        if (!noReport) FileLocks.locked(res.resolve("report.lock"), () -> {
            ReportCommand.build(res, out, p.name, System.out);
            return null;
        });
        return 0;
    }
}
