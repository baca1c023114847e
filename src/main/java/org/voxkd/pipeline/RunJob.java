package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.voxkd.io.AtomicFiles;
import org.voxkd.ledger.CodeFingerprint;
import org.voxkd.ledger.Ledger;
import org.voxkd.ledger.RunId;
import org.voxkd.train.TrainConfig;
import org.voxkd.train.Trainer;

/**
 * One planned run brought to the ledger, the same way wherever it executes (this JVM, or a Slurm job's
 * {@code voxkd train --run}): read {@code runs/<dir>/plan.json}, claim the folder ({@link Claim}), check that
 * this code and data make the planned id, train (resuming an interrupted run) — or, when the folder already holds a
 * finished run that the ledger lacks (a process died between the two), take its {@code done.json} — build the record
 * ({@link Records}) and append it ({@link Ledger#append}: never twice). A failure leaves {@code failed.json} (what
 * went wrong, where, when) in the folder; the next attempt removes it and resumes.
 */
public final class RunJob {
    private RunJob() {}

    public static final String FAILED = "failed.json";

    public enum Result {
        /** Trained here and recorded. */
        TRAINED,
        /** The folder held a finished run the ledger lacked: recorded here. */
        RECORDED,
        /** The ledger already holds it (another process finished it). */
        DONE,
        /** A live process holds its claim: nothing done. */
        CLAIMED
    }

    /** What an attempt did; {@code holder} is set for {@link Result#CLAIMED} (empty when the claim vanished meanwhile). */
    public record Attempt(Result result, Optional<Claim.Holder> holder) {}

    /** Trains {@code config} in {@code runDir}, resuming an interrupted run there; returns the finished run's done.json fields. */
    public static ObjectNode train(TrainConfig config, Path runDir, Path root, PrintStream log) throws IOException {
        boolean resume = Files.exists(runDir.resolve("last.ckpt"));
        return new Trainer(config, runDir, log).relativeTo(root).run(resume).record();
    }

    /**
     * One attempt at the run in {@code results/dir}, without waiting: {@code startMessage} is printed when this
     * process starts training it; {@code command} is what the claim says this process is.
     */
    public static Attempt attempt(Path root, Path results, String dir, Duration staleAfter, String command, String startMessage, PrintStream log)
            throws IOException {
        Path runDir = results.resolve(dir);
        Ledger ledger = new Ledger(results);
        RunPlan plan = RunPlan.read(runDir);
        if (ledger.record(plan.id, plan.dir).isPresent()) return new Attempt(Result.DONE, Optional.empty());
        Optional<Claim> claimed = Claim.tryAcquire(runDir, staleAfter, command, log);
        if (claimed.isEmpty()) return new Attempt(Result.CLAIMED, Claim.holder(runDir));
        try (Claim claim = claimed.get()) {
            // a terminated process (Ctrl-C, kill, a job's time limit: SIGTERM) still says so and frees the run at once
            Thread hook = new Thread(() -> {
                try {
                    failed(runDir, "stopped while training: the process was terminated (Ctrl-C, kill, or the job's time limit); the next attempt resumes it");
                    claim.close();
                } catch (IOException | RuntimeException e) {
                    // exiting anyway: the claim goes stale instead
                }
            }, "release " + dir);
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return new Attempt(underClaim(root, results, plan, claim, startMessage, log), Optional.empty());
            } catch (IOException | RuntimeException e) {
                String msg = failed(runDir, e.getMessage() == null ? e.toString() : e.getMessage());
                log.println(plan.label + ": FAILED: " + msg);
                throw e;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
        }
    }

    /** Writes failed.json (what went wrong, where, when) into the run folder; returns the message. */
    private static String failed(Path runDir, String message) throws IOException {
        ObjectNode f = Ledger.JSON.createObjectNode();
        f.put("error", message);
        f.put("host", Claim.HOST);
        f.put("pid", ProcessHandle.current().pid());
        f.put("time", Instant.now().toString());
        String job = System.getenv("SLURM_JOB_ID");
        if (job != null) f.put("slurm_job", job);
        AtomicFiles.writeString(runDir.resolve(FAILED), f.toPrettyString() + "\n");
        return message;
    }

    private static Result underClaim(Path root, Path results, RunPlan plan, Claim claim, String startMessage, PrintStream log) throws IOException {
        Ledger ledger = new Ledger(results);
        if (ledger.record(plan.id, plan.dir).isPresent()) return Result.DONE; // finished by the claim's previous holder
        for (RunPlan.Need n : plan.needs)
            if (ledger.record(n.id(), n.dir()).isEmpty())
                throw new IOException(plan.label + " needs run " + n.id() + " (" + n.dir() + "), which is not in the ledger yet: train it first");
        TrainConfig cfg = plan.trainConfig(root);
        String fingerprint = CodeFingerprint.checked(root);
        ObjectNode portable = RunId.portable(cfg.toTree(), root);
        String id = RunId.of(portable, cfg.seed(), fingerprint, plan.dataHash, cfg.backend());
        if (!id.equals(plan.id))
            throw new IOException(plan.label + ": this code and configuration make run id " + id + ", not the planned " + plan.id + " (code fingerprint "
                    + fingerprint + ", planned with " + plan.fingerprint + "): the code changed since the run was planned; plan it again (voxkd reproduce)");
        Path runDir = plan.runDir(results), done = runDir.resolve("done.json");
        Instant start, end;
        ObjectNode result;
        Result what;
        if (Files.exists(done)) {
            log.println(plan.label + ": its folder holds a finished run that the ledger lacks; recording it");
            result = (ObjectNode) Ledger.JSON.readTree(done.toFile());
            end = Files.getLastModifiedTime(done).toInstant();
            start = end.minus(Duration.ofMillis(Math.round(1000 * result.path("seconds").asDouble())));
            what = Result.RECORDED;
        } else {
            Files.deleteIfExists(runDir.resolve(FAILED));
            log.println(startMessage);
            start = Instant.now();
            result = train(cfg, runDir, root, log);
            end = Instant.now();
            what = Result.TRAINED;
        }
        if (!plan.dataHash.equals(result.path("data_hash").asText()))
            throw new IOException(plan.label + ": trained on data with hash " + result.path("data_hash").asText() + ", but planned with " + plan.dataHash
                    + ": the data changed since the run was planned");
        ObjectNode record = Records.build(plan.id, plan.experiment, plan.profile, cfg, portable, plan.commit, plan.fingerprint, plan.dataHash,
                plan.dependsOn, start, end, result, results, plan.dir);
        claim.checkHeld();
        if (!ledger.append(record)) log.println(plan.label + ": already in the ledger (recorded by another process)");
        return what;
    }
}
