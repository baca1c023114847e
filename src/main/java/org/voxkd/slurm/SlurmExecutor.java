package org.voxkd.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.voxkd.io.AtomicFiles;
import org.voxkd.ledger.Ledger;
import org.voxkd.pipeline.Claim;
import org.voxkd.pipeline.Executor;
import org.voxkd.pipeline.InProcessExecutor;
import org.voxkd.pipeline.RunJob;
import org.voxkd.pipeline.RunPlan;

/**
 * Runs a reproduction on a Slurm cluster: one batch job per run, as one job array per arm (its seeds are the
 * array's tasks), each task running {@code voxkd train --run runs/ID} against the shared results folder — so a job
 * trains exactly the run {@code plan.json} describes and appends its own ledger record, as in-process runs do
 * ({@link RunJob}). A run that needs another's checkpoint waits for it: an array whose runs need an array
 * submitted with it depends on it task by task ({@code --dependency=aftercorr:ARRAY}: task i, seed i, after the
 * referenced array's task i succeeded), one that needs an already queued or running run on that job
 * ({@code afterok:JOB_TASK}); dependents of a failed run are cancelled ({@code --kill-on-invalid-dep=yes}).
 * Submitting again skips runs that are done, queued or running and resubmits failed ones. Slurm bookkeeping lives in
 * {@code results/slurm/}: the scripts, Slurm's own output per task ({@code logs/}) and which job runs which run
 * ({@code jobs/ID.json}); each run's own log is {@code runs/ID/train.log}.
 */
public final class SlurmExecutor implements Executor {
    /** How runs are submitted. {@code template}: a batch script with the placeholders {@code {{sbatch}}} and {@code {{run}}}. */
    public record Options(String partition, String account, String time, Integer gpus, Integer cpusPerTask, String mem, List<String> sbatchLines,
                          Path template, String launcher, Duration staleAfter, Duration poll, boolean waitForJobs) {
        public Options {
            sbatchLines = sbatchLines == null ? List.of() : List.copyOf(sbatchLines);
            staleAfter = staleAfter == null ? InProcessExecutor.STALE_AFTER : staleAfter;
            poll = poll == null ? Duration.ofSeconds(15) : poll;
        }
    }

    /** Where a run stands. */
    public enum State {
        DONE("done"), RUNNING("running"), QUEUED("queued"), FAILED("failed"), NOT_SUBMITTED("not submitted");

        public final String word;

        State(String word) { this.word = word; }
    }

    /** A run's state, the Slurm job that has (or had) it, and a word on why. */
    public record RunStatus(RunPlan run, State state, String job, String detail) {}

    public static final String DEFAULT_TEMPLATE = "#!/bin/bash\n{{sbatch}}\nset -euo pipefail\n{{run}}\n";
    static final Set<String> ACTIVE = Set.of("PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING",
            "STAGE_OUT", "STOPPED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD");

    private final Options options;
    private final Slurm slurm;
    private final PrintStream log;

    public SlurmExecutor(Options options, Slurm slurm, PrintStream log) {
        this.options = options;
        this.slurm = slurm;
        this.log = log;
    }

    @Override public void execute(List<RunPlan> runs, Path root, Path results) throws IOException {
        List<RunStatus> now = status(runs, results);
        Map<String, String> active = new LinkedHashMap<>();
        Set<String> done = new HashSet<>();
        List<RunPlan> submit = new ArrayList<>();
        for (RunStatus s : now) {
            switch (s.state()) {
                case DONE -> done.add(s.run().dir);
                case QUEUED, RUNNING -> {
                    active.put(s.run().dir, s.job());
                    log.println(s.run().label + ": " + s.state().word + (s.job() == null ? "" : " (job " + s.job() + ")") + ", not submitted again");
                }
                case FAILED, NOT_SUBMITTED -> {
                    if (s.state() == State.FAILED) log.println(s.run().label + ": failed before (" + s.detail() + "), submitting it again");
                    submit.add(s.run());
                }
            }
        }
        List<Long> seeds = runs.stream().map(r -> r.seed).distinct().toList();
        List<Group> groups = groups(submit, active, done, seeds);
        Path dir = results.resolve("slurm");
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("jobs"));
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        List<String> jobIds = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            String profile = group.runs().get(0).profile;
            Path script = dir.resolve(String.format("%s-%s-%s-%d.sbatch", profile, group.arm(), stamp, g));
            AtomicFiles.writeString(script, script(group, root, results));
            List<String> deps = new ArrayList<>();
            Set<String> corr = new LinkedHashSet<>();
            for (int x : group.afterGroups()) corr.add(jobIds.get(x));
            if (!corr.isEmpty()) deps.add("aftercorr:" + String.join(":", corr));
            if (!group.afterJobs().isEmpty()) deps.add("afterok:" + String.join(":", group.afterJobs()));
            List<String> sbatch = new ArrayList<>();
            if (!deps.isEmpty()) {
                sbatch.add("--dependency=" + String.join(",", deps));
                sbatch.add("--kill-on-invalid-dep=yes");
            }
            String job = slurm.submit(script, sbatch);
            jobIds.add(job);
            for (int k = 0; k < group.runs().size(); k++) {
                RunPlan r = group.runs().get(k);
                ObjectNode j = Ledger.JSON.createObjectNode();
                j.put("job", job + "_" + group.tasks().get(k));
                j.put("array_job", job);
                j.put("task", group.tasks().get(k));
                j.put("run", r.dir);
                j.put("script", results.relativize(script).toString());
                j.put("submitted", Instant.now().toString());
                AtomicFiles.writeString(jobFile(results, r), j.toPrettyString() + "\n");
            }
            log.printf("submitted job array %s (%s, %d run%s: seeds %s)%s%n", job, group.arm(), group.runs().size(), group.runs().size() == 1 ? "" : "s",
                    group.runs().stream().map(r -> String.valueOf(r.seed)).toList(), deps.isEmpty() ? "" : " after " + String.join(",", deps));
        }
        if (submit.isEmpty()) log.println("nothing to submit: " + summary(now));
        else log.printf("%d run%s submitted as %d job array%s; follow them with: voxkd reproduce --executor slurm --status%n", submit.size(),
                submit.size() == 1 ? "" : "s", groups.size(), groups.size() == 1 ? "" : "s");
        if (options.waitForJobs()) await(runs, results);
    }

    /** Polls until no run is queued or running, printing the counts when they change; an error naming the failed runs if any failed. */
    void await(List<RunPlan> runs, Path results) throws IOException {
        String last = null;
        while (true) {
            List<RunStatus> st = status(runs, results);
            String line = summary(st);
            if (!line.equals(last)) {
                log.println("slurm: " + line);
                last = line;
            }
            boolean busy = st.stream().anyMatch(s -> s.state() == State.QUEUED || s.state() == State.RUNNING);
            if (!busy) {
                List<String> bad = st.stream().filter(s -> s.state() != State.DONE).map(s -> s.run().label + ": " + s.state().word + " (" + s.detail() + ")").toList();
                if (!bad.isEmpty()) throw new IOException(bad.size() + " run(s) did not finish:\n  " + String.join("\n  ", bad));
                return;
            }
            try {
                Thread.sleep(options.poll().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the Slurm jobs (they keep running; see --status)", e);
            }
        }
    }

    /**
     * Where every planned run stands: done (in the ledger); queued or running (its job in Slurm's queue, or a live
     * claim, e.g. an in-process reproduction training it); failed (its job ended without a record — with sacct's state
     * where the cluster keeps accounting, else what the run folder shows); or not submitted.
     */
    public List<RunStatus> status(List<RunPlan> runs, Path results) throws IOException {
        Map<String, String> jobs = new LinkedHashMap<>();
        for (RunPlan r : runs) {
            Path f = jobFile(results, r);
            if (r.complete == null && Files.exists(f)) jobs.put(r.dir, Ledger.JSON.readTree(f.toFile()).path("job").asText());
        }
        // The queue first, the results folder after: a job missing from the queue has finished, and then its record is in the ledger.
        Map<String, Slurm.JobState> queue = slurm.queue(new LinkedHashSet<>(jobs.values()));
        Ledger ledger = new Ledger(results);
        Set<String> recorded = new HashSet<>();
        for (ObjectNode rec : ledger.records()) recorded.add(rec.get("id").asText() + " " + rec.path("dir").asText());
        List<String> gone = new ArrayList<>();
        for (RunPlan r : runs) {
            String j = jobs.get(r.dir);
            boolean active = j != null && queue.containsKey(j) && ACTIVE.contains(queue.get(j).state());
            if (j != null && !active && !recorded.contains(r.id + " " + r.dir) && !queue.containsKey(j)) gone.add(j);
        }
        Map<String, Slurm.JobState> acct = gone.isEmpty() ? Map.of() : slurm.accounting(gone);
        List<RunStatus> out = new ArrayList<>();
        for (RunPlan r : runs) out.add(classify(r, results, recorded.contains(r.id + " " + r.dir) || r.complete != null, jobs.get(r.dir), queue, acct, options.staleAfter()));
        return out;
    }

    static RunStatus classify(RunPlan r, Path results, boolean recorded, String job, Map<String, Slurm.JobState> queue, Map<String, Slurm.JobState> acct,
                              Duration staleAfter) throws IOException {
        if (recorded) return new RunStatus(r, State.DONE, job, "");
        Slurm.JobState q = job == null ? null : queue.get(job);
        if (q != null && ACTIVE.contains(q.state()))
            return new RunStatus(r, q.state().equals("PENDING") ? State.QUEUED : State.RUNNING, job, q.state().toLowerCase() + (q.detail().isEmpty()
                    || q.detail().equals("None") ? "" : ", " + q.detail()));
        Path dir = r.runDir(results);
        Optional<Claim.Holder> h = Claim.holder(dir);
        if (h.isPresent() && h.get().staleBecause(staleAfter, Instant.now()) == null)
            return new RunStatus(r, State.RUNNING, job, "held by " + h.get().who() + " (" + h.get().command() + ")");
        Path failed = dir.resolve(RunJob.FAILED);
        Slurm.JobState ended = q != null ? q : acct == null || job == null ? null : acct.get(job);
        String slurmSays = ended == null ? "" : "Slurm: " + ended.state() + (ended.detail().isEmpty() || ended.detail().equals("None") ? "" : " " + ended.detail()) + "; ";
        if (Files.exists(failed)) {
            JsonNode f = Ledger.JSON.readTree(failed.toFile());
            return new RunStatus(r, State.FAILED, job, slurmSays + f.path("error").asText() + " (" + f.path("host").asText() + ", " + f.path("time").asText() + ")");
        }
        if (job == null) return new RunStatus(r, State.NOT_SUBMITTED, null, h.map(x -> "stale claim by " + x.who()).orElse(""));
        Path trainLog = dir.resolve("train.log");
        String why = Files.exists(trainLog) ? "ended without a ledger record; see " + results.relativize(trainLog)
                : "ended before voxkd started (cancelled, or a run it needs failed); see " + results.relativize(results.resolve("slurm/logs"));
        return new RunStatus(r, State.FAILED, job, slurmSays + "job " + job + " " + why);
    }

    /** "14 runs: 10 done, 2 running, 2 queued". */
    public static String summary(List<RunStatus> st) {
        Map<State, Integer> n = new EnumMap<>(State.class);
        for (RunStatus s : st) n.merge(s.state(), 1, Integer::sum);
        List<String> parts = new ArrayList<>();
        n.forEach((k, v) -> parts.add(v + " " + k.word));
        return st.size() + " runs: " + String.join(", ", parts);
    }

    /** The table {@code --status} prints. */
    public static void print(List<RunStatus> st, PrintStream out) {
        int w = st.stream().mapToInt(s -> s.run().label.length()).max().orElse(10);
        for (RunStatus s : st)
            out.printf("%-" + w + "s  %-13s %-12s %s%n", s.run().label, s.state().word, s.job() == null ? "-" : s.job(), s.detail());
        out.println(summary(st));
    }

    /**
     * One submission: runs of one arm whose needs are alike (each need done, in one group of this submission, or a
     * queued job), as one array; {@code tasks} are the seeds' positions in the seed list.
     */
    record Group(String arm, List<RunPlan> runs, List<Integer> tasks, List<Integer> afterGroups, List<String> afterJobs) {}

    /** Groups runs to submit (plan order: each after what it needs) into arrays; a pure function of the plan and the states. */
    static List<Group> groups(List<RunPlan> submit, Map<String, String> activeJobs, Set<String> done, List<Long> seeds) {
        Map<String, Integer> groupOf = new LinkedHashMap<>(); // run dir → its group
        Map<String, Integer> byKey = new LinkedHashMap<>();
        List<Group> out = new ArrayList<>();
        for (RunPlan r : submit) {
            List<Integer> afterGroups = new ArrayList<>();
            List<String> afterJobs = new ArrayList<>();
            for (RunPlan.Need n : r.needs) {
                if (done.contains(n.dir())) continue;
                if (activeJobs.containsKey(n.dir())) afterJobs.add(activeJobs.get(n.dir()));
                else if (groupOf.containsKey(n.dir())) {
                    if (!afterGroups.contains(groupOf.get(n.dir()))) afterGroups.add(groupOf.get(n.dir()));
                } else throw new IllegalStateException(r.label + " needs " + n.dir() + ", which is neither done, queued, nor submitted before it");
            }
            // runs waiting on particular queued jobs differ per seed: each is its own array
            String key = r.experiment + "|" + afterGroups + (afterJobs.isEmpty() ? "" : "|" + r.dir);
            Integer g = byKey.get(key);
            if (g == null) {
                g = out.size();
                byKey.put(key, g);
                out.add(new Group(r.experiment, new ArrayList<>(), new ArrayList<>(), afterGroups, afterJobs));
            }
            out.get(g).runs().add(r);
            out.get(g).tasks().add(seeds.indexOf(r.seed));
            groupOf.put(r.dir, g);
        }
        return out;
    }

    /** The batch script of one group: the template with its #SBATCH lines and the commands that train the task's run. */
    String script(Group g, Path root, Path results) throws IOException {
        String template = DEFAULT_TEMPLATE;
        if (options.template() != null) {
            if (!Files.isRegularFile(options.template())) throw new IOException("sbatch template " + options.template() + " does not exist");
            template = Files.readString(options.template());
            for (String p : new String[] {"{{sbatch}}", "{{run}}"})
                if (!template.contains(p))
                    throw new IOException("sbatch template " + options.template() + " has no " + p + " placeholder (it needs {{sbatch}} where the #SBATCH lines go and {{run}} where the job's commands go)");
        }
        StringBuilder sb = new StringBuilder();
        String profile = g.runs().get(0).profile;
        directive(sb, "--job-name=voxkd-" + profile + "-" + g.arm());
        directive(sb, "--array=" + String.join(",", g.tasks().stream().map(String::valueOf).toList()));
        directive(sb, "--output=" + results.resolve("slurm/logs") + "/%x-%A_%a.out");
        directive(sb, "--chdir=" + root);
        if (options.partition() != null) directive(sb, "--partition=" + options.partition());
        if (options.account() != null) directive(sb, "--account=" + options.account());
        if (options.time() != null) directive(sb, "--time=" + options.time());
        if (options.gpus() != null) directive(sb, "--gpus=" + options.gpus());
        if (options.cpusPerTask() != null) directive(sb, "--cpus-per-task=" + options.cpusPerTask());
        if (options.mem() != null) directive(sb, "--mem=" + options.mem());
        for (String line : options.sbatchLines()) {
            if (line.contains("\n")) throw new IOException("an --sbatch-line is one line: " + line);
            directive(sb, line.startsWith("#SBATCH") ? line.substring(7).strip() : line.strip());
        }
        StringBuilder run = new StringBuilder("case \"$SLURM_ARRAY_TASK_ID\" in\n");
        for (int k = 0; k < g.runs().size(); k++) run.append("  ").append(g.tasks().get(k)).append(") run=").append(g.runs().get(k).dir).append(" ;;\n");
        run.append("  *) echo \"voxkd: no run for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;\nesac\n");
        String launcher = options.launcher() != null ? options.launcher() : root.resolve("bin/voxkd").toString();
        String res = quote(results.toString());
        run.append("# kernels and OpenBLAS use the CPUs Slurm gave this task\n");
        run.append("export OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-$(nproc)}\"\n");
        run.append("echo \"voxkd: job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname): train $run (log: ").append(results).append("/$run/train.log)\"\n");
        run.append("exec ").append(quote(launcher)).append(" train --root ").append(quote(root.toString())).append(" --results ").append(res)
                .append(" --run \"$run\" --stale-after ").append(options.staleAfter().toSeconds()).append(" >> ").append(res).append("/\"$run\"/train.log 2>&1\n");
        return template.replace("{{sbatch}}", sb.toString().stripTrailing()).replace("{{run}}", run.toString().stripTrailing());
    }

    private static void directive(StringBuilder sb, String option) {
        sb.append("#SBATCH ").append(option).append('\n');
    }

    /** {@code s} as one single-quoted shell word. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static Path jobFile(Path results, RunPlan r) {
        return results.resolve("slurm/jobs").resolve(Path.of(r.dir).getFileName() + ".json");
    }
}
