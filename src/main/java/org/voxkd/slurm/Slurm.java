package org.voxkd.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Slurm commands voxkd uses — {@code sbatch}, {@code squeue}, {@code sacct} — run as processes (the same
 * commands a user types; no client library), each with a time limit and a clear error naming the command.
 */
public final class Slurm {
    /** A job's state as Slurm reports it (e.g. PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT) and why (squeue's reason, sacct's exit code). */
    public record JobState(String state, String detail) {}

    static final long TIMEOUT_S = 120;

    /** Submits a batch script; returns the job id (an array's job id for an array). */
    public String submit(Path script, List<String> options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable"));
        cmd.addAll(options);
        cmd.add(script.toString());
        Out o = run(cmd);
        if (o.code != 0) throw new IOException(String.join(" ", cmd) + " failed (exit " + o.code + "): " + o.text.strip());
        String id = o.text.strip().lines().reduce((a, b) -> b).orElse("").split(";")[0].strip();
        if (!id.matches("\\d+")) throw new IOException(String.join(" ", cmd) + ": expected a job id, got: " + o.text.strip());
        return id;
    }

    /**
     * The state of every job Slurm's controller still knows among {@code jobIds} (array tasks as {@code JOB_TASK}),
     * pending, running or recently finished ({@code squeue --states=all}); unknown ids are absent.
     */
    public Map<String, JobState> queue(Collection<String> jobIds) throws IOException {
        Map<String, JobState> out = new LinkedHashMap<>();
        if (jobIds.isEmpty()) return out;
        List<String> cmd = List.of("squeue", "--noheader", "--array", "--states=all", "--format=%i|%T|%r", "--jobs=" + String.join(",", jobIds));
        Out o = run(cmd);
        if (o.code != 0 && o.text.contains("Invalid job id")) return out; // none of them is known any more
        return rows(cmd, o, f -> new JobState(f[1], f[2]));
    }

    /**
     * The accounting record's state of each of {@code jobIds} ({@code sacct}), or null when this cluster keeps no
     * accounting (no slurmdbd): the caller then judges finished jobs from the results folder alone.
     */
    public Map<String, JobState> accounting(Collection<String> jobIds) throws IOException {
        Map<String, JobState> out = new LinkedHashMap<>();
        if (jobIds.isEmpty()) return out;
        List<String> cmd = List.of("sacct", "--noheader", "--parsable2", "--allocations", "--format=JobID,State,ExitCode", "--jobs=" + String.join(",", jobIds));
        Out o = run(cmd);
        if (o.text.contains("accounting storage is disabled")) return null;
        return rows(cmd, o, f -> new JobState(f[1].split(" ")[0], "exit code " + f[2]));
    }

    private record Out(int code, String text) {}

    /** "ID|A|B" lines of a command that succeeded → ID → state. */
    private static Map<String, JobState> rows(List<String> cmd, Out o, java.util.function.Function<String[], JobState> row) throws IOException {
        if (o.code != 0) throw new IOException(String.join(" ", cmd) + " failed (exit " + o.code + "): " + o.text.strip());
        Map<String, JobState> out = new LinkedHashMap<>();
        for (String line : o.text.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length == 3) out.put(f[0], row.apply(f));
        }
        return out;
    }

    private static Out run(List<String> cmd) throws IOException {
        java.io.File out = java.io.File.createTempFile("voxkd-slurm-", ".out");
        try {
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            } catch (IOException e) {
                throw new IOException(cmd.get(0) + " cannot be run (" + e.getMessage() + "): is this a Slurm cluster's login node, with the Slurm commands on PATH?", e);
            }
            try {
                if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", cmd) + " did not answer within " + TIMEOUT_S + " s (is slurmctld up? SLURM_CONF=" + System.getenv("SLURM_CONF") + ")");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + cmd.get(0), e);
            }
            return new Out(p.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8));
        } finally {
            java.nio.file.Files.deleteIfExists(out.toPath());
        }
    }
}
