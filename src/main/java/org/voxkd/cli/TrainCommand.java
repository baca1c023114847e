package org.voxkd.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.voxkd.ledger.Ledger;
import org.voxkd.pipeline.InProcessExecutor;
import org.voxkd.pipeline.RunPlan;
import org.voxkd.pipeline.TrainFolder;
import org.voxkd.train.RunInputs;
import org.voxkd.train.TrainConfig;
import org.voxkd.train.Trainer;
import org.voxkd.train.TrainingChecks;
import org.voxkd.data.Lists;
import java.util.ArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd train`: one configuration into one run directory, or one planned run of a reproduction (what a Slurm job runs). */
@Command(name = "train", mixinStandardHelpOptions = true, description = {"Train a teacher or a student from a YAML configuration (--config, --out), "
        + "or one run that `voxkd reproduce` planned (--run runs/ID).",
        "--run runs/ID --results DIR claims the run, trains exactly its plan.json and appends its ledger record.",
        "--out must be a new or empty folder, or a run folder of voxkd train (to --resume); it is claimed while training, so a second "
                + "writer is refused."})
public final class TrainCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--config", description = "Experiment YAML (or --run for a planned run).") Path config;
    @Option(names = "--out", description = "Run directory (config, epochs.csv, checkpoints, scores); required with --config unless --check.") Path out;
    @Option(names = "--resume", description = "Continue an interrupted run in --out from its last checkpoint.") boolean resume;
    @Option(names = "--backend", description = "cpu or opencl (overrides the configuration).") String backend;
    @Option(names = "--device", description = "Device index or name substring.") String device;
    @picocli.CommandLine.Mixin NumericsOption numerics = new NumericsOption();
    @Option(names = "--stop-after", description = "Stop after this epoch of the schedule (resumable), e.g. to train in time-boxed chunks.")
    Integer stopAfter;
    @Option(names = "--profile", description = "Print the slowest kernels of the step after each epoch.") boolean profile;
    @Option(names = "--check", description = "Only check the configuration and everything it reads (lists, audio headers, augmentation folders, "
            + "teacher checkpoint), then exit: 0 when training could start.") boolean check;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--run", description = "A planned run's folder under --results, e.g. runs/1a2b3c4d5e6f7a8b (resumes it if interrupted).") String run;
    @Option(names = "--results", defaultValue = "results", description = "With --run: the results directory (default: ${DEFAULT-VALUE}).") Path results;
    @Option(names = "--root", defaultValue = ".", description = "The project root: a plan's paths are relative to it (--run), and config.json and "
            + "checkpoints record paths under it relative to it, so two checkouts make identical files (default: ${DEFAULT-VALUE}).") Path root;
    @Option(names = "--on-claimed", defaultValue = "wait", description = "With --run: when another live process trains it, wait or skip (default: ${DEFAULT-VALUE}).")
    String onClaimed;
    @Option(names = "--stale-after", defaultValue = "300", description = "Seconds without a heartbeat before a run folder's claim is stale and taken over (default: ${DEFAULT-VALUE}).")
    long staleAfter;
    @Option(names = "--poll", defaultValue = "5", description = "With --run: seconds between looks at a claim being waited for (default: ${DEFAULT-VALUE}).") double poll;

    @Override public Integer call() throws Exception {
        if (run != null) return planned();
        if (config == null || (out == null && !check))
            throw new IllegalArgumentException("give --config FILE and --out DIR (or --config FILE --check), or --run runs/ID (a run that voxkd reproduce planned)");
        TrainConfig cfg = TrainConfig.load(config).onBackend(backend, device).onNumerics(numerics.mode);
        if (check) {
            RunInputs in = RunInputs.read(cfg);
            TrainConfig.Data d = cfg.data();
            List<String> trialPaths = new ArrayList<>();
            if (in.val() != null) trialPaths.addAll(Lists.trialPaths(in.val()));
            if (in.test() != null && in.test() != in.val()) trialPaths.addAll(Lists.trialPaths(in.test()));
            int read = TrainingChecks.samples(Path.of(d.trainRoot()), in.train().stream().map(Lists.Utterance::path).distinct().toList(),
                    d.selectionList() == null ? null : Path.of(d.trialRoot()), new java.util.LinkedHashSet<>(trialPaths), Math.max(1, d.workers()));
            spec.commandLine().getOut().println(config + ": ok — " + in.summary() + "; every sample of " + read + " files read and finite");
            spec.commandLine().getOut().flush();
            return 0;
        }
        Trainer.Outcome o;
        try (TrainFolder folder = TrainFolder.claim(out, "voxkd train --config " + config + " --out " + out, Duration.ofSeconds(staleAfter), System.out)) {
            o = new Trainer(cfg, out, System.out).relativeTo(root).profiled(profile).run(resume, stopAfter == null ? Integer.MAX_VALUE : stopAfter);
        }
        if (o == null) return 0;
        System.out.println("done: " + o.best() + (o.record().has("best_eer")
                ? String.format(" (best validation EER %.2f%% at epoch %d)", 100 * o.record().get("best_eer").asDouble(), o.record().get("best_epoch").asInt()) : ""));
        return 0;
    }

    private int planned() throws Exception {
        if (config != null || out != null || resume || backend != null || device != null || stopAfter != null || profile)
            throw new IllegalArgumentException("--run trains the run exactly as planned: it takes no --config, --out, --resume, --backend, --device, --stop-after or --profile");
        InProcessExecutor.OnClaimed claimed = InProcessExecutor.OnClaimed.parse(onClaimed);
        Path res = results.toAbsolutePath().normalize(), rt = root.toAbsolutePath().normalize();
        RunPlan plan = RunPlan.read(res.resolve(run));
        String job = System.getenv("SLURM_JOB_ID");
        InProcessExecutor ex = new InProcessExecutor(System.out).claims(claimed, Duration.ofSeconds(staleAfter), Duration.ofMillis(Math.round(1000 * poll)))
                .command("voxkd train --run " + run + (job == null ? "" : " (slurm job " + job + ")"));
        ex.execute(List.of(plan), rt, res);
        if (new Ledger(res).record(plan.id, plan.dir).isPresent()) System.out.println(plan.label + ": in the ledger " + new Ledger(res).file());
        else System.out.println(plan.label + ": left to the process holding it");
        return 0;
    }
}
