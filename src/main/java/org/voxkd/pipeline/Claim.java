package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.voxkd.io.AtomicFiles;
import org.voxkd.io.FileLocks;
import org.voxkd.ledger.Ledger;

/**
 * The right to write one run folder: {@code runs/<dir>/claim.json}, created exclusively
 * ({@link AtomicFiles#createExclusive}), holding who trains the run (host, pid and the pid's start time, a random
 * token), since when, and a heartbeat that a background thread refreshes every {@code staleAfter / 10}. Another
 * process finds it and waits or moves on; a claim is <b>stale</b> — and is taken over, with a message — when its
 * process is gone (same host: the pid is not alive, or is another process with a reused pid) or its heartbeat is
 * older than {@code staleAfter} (any host; clocks must agree to well within that). Every change to a claim file
 * (create, take over, heartbeat, release) happens under {@code claim.lock} ({@link FileLocks}), so two processes
 * can never both take over the same stale claim, and a holder whose claim was taken over while it was frozen
 * learns so at its next heartbeat ({@link #checkHeld}) instead of overwriting the new holder's claim.
 */
public final class Claim implements AutoCloseable {
    public static final String FILE = "claim.json", LOCK = "claim.lock";

    /** Who holds a claim: parsed claim.json. */
    public record Holder(String host, long pid, String pidStart, String token, Instant start, Instant heartbeat, String command) {
        public String who() { return host + ":" + pid; }

        /** Null when live, else why it is stale. */
        public String staleBecause(Duration staleAfter, Instant now) {
            if (host.equals(HOST)) {
                Optional<ProcessHandle> p = ProcessHandle.of(pid);
                if (p.isEmpty() || !p.get().isAlive()) return "its process " + pid + " on " + host + " is gone";
                String started = startOf(p.get());
                if (!pidStart.isEmpty() && !started.isEmpty() && !started.equals(pidStart))
                    return "pid " + pid + " on " + host + " is now another process (started " + started + ", the claimant " + pidStart + ")";
            }
            Duration quiet = Duration.between(heartbeat, now);
            if (quiet.compareTo(staleAfter) > 0) return "no heartbeat for " + quiet.toSeconds() + " s (stale after " + staleAfter.toSeconds() + " s)";
            return null;
        }

        static Holder parse(JsonNode j) {
            return new Holder(j.path("host").asText(), j.path("pid").asLong(), j.path("pid_start").asText(), j.path("token").asText(),
                    Instant.parse(j.path("start").asText()), Instant.parse(j.path("heartbeat").asText()), j.path("command").asText());
        }
    }

    /** This machine's name, as claims record it. */
    public static final String HOST = hostName();

    private final Path dir;
    private final Holder me;
    private final ScheduledExecutorService beat;
    private volatile String lost;

    private Claim(Path dir, Holder me, Duration staleAfter, PrintStream log) {
        this.dir = dir;
        this.me = me;
        long period = Math.max(200, staleAfter.toMillis() / 10);
        beat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "claim-heartbeat " + dir.getFileName());
            t.setDaemon(true);
            return t;
        });
        beat.scheduleWithFixedDelay(() -> {
            try {
                heartbeat();
            } catch (IOException | RuntimeException e) {
                log.println("  warning: could not refresh the claim of " + dir + ": " + e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Claims {@code runDir} for this process: returns the claim, or empty when a live process holds it. A stale claim
     * is taken over (and said so on {@code log}).
     */
    public static Optional<Claim> tryAcquire(Path runDir, Duration staleAfter, String command, PrintStream log) throws IOException {
        Files.createDirectories(runDir);
        Path file = runDir.resolve(FILE);
        return FileLocks.locked(runDir.resolve(LOCK), () -> {
            Optional<Holder> h = read(file);
            if (h.isPresent()) {
                String why = h.get().staleBecause(staleAfter, Instant.now());
                if (why == null) return Optional.<Claim>empty();
                log.printf("  taking over the stale claim of %s by %s (since %s): %s%n", runDir.getFileName(), h.get().who(), h.get().start(), why);
                Files.deleteIfExists(file);
            }
            Instant now = Instant.now();
            Holder me = new Holder(HOST, ProcessHandle.current().pid(), startOf(ProcessHandle.current()), UUID.randomUUID().toString(), now, now, command);
            if (!AtomicFiles.createExclusive(file, json(me))) return Optional.<Claim>empty(); // someone outside the lock protocol
            return Optional.of(new Claim(runDir, me, staleAfter, log));
        });
    }

    /** The current holder of {@code runDir}'s claim, if any. */
    public static Optional<Holder> holder(Path runDir) throws IOException {
        return read(runDir.resolve(FILE));
    }

    /** Throws when another process took this claim over (this one looked stale), so this one must not write its results. */
    public void checkHeld() throws IOException {
        heartbeat();
        if (lost != null) throw new IOException(lost);
    }

    private void heartbeat() throws IOException {
        if (lost != null) return;
        FileLocks.locked(dir.resolve(LOCK), () -> {
            Optional<Holder> h = read(dir.resolve(FILE));
            if (h.isEmpty() || !h.get().token().equals(me.token())) {
                lost = "the claim of " + dir + " was taken over by " + h.map(Holder::who).orElse("nobody (removed)")
                        + " while this process looked stale; its results are not recorded here";
                return null;
            }
            Holder now = new Holder(me.host(), me.pid(), me.pidStart(), me.token(), me.start(), Instant.now(), me.command());
            AtomicFiles.write(dir.resolve(FILE), out -> out.write(json(now)));
            return null;
        });
    }

    /** Stops the heartbeat and removes the claim if it is still this process's. */
    @Override public void close() throws IOException {
        beat.shutdown(); // no interrupt: a heartbeat in progress finishes its write (an interrupt would close its channel)
        try {
            beat.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FileLocks.locked(dir.resolve(LOCK), () -> {
            Optional<Holder> h = read(dir.resolve(FILE));
            if (h.isPresent() && h.get().token().equals(me.token())) Files.delete(dir.resolve(FILE));
            return null;
        });
    }

    private static Optional<Holder> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(Holder.parse(Ledger.JSON.readTree(text)));
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a claim file (" + e.getMessage() + "); if no process is training this run, delete it", e);
        }
    }

    private static byte[] json(Holder h) throws IOException {
        ObjectNode o = Ledger.JSON.createObjectNode();
        o.put("host", h.host());
        o.put("pid", h.pid());
        o.put("pid_start", h.pidStart());
        o.put("token", h.token());
        o.put("start", h.start().toString());
        o.put("heartbeat", h.heartbeat().toString());
        o.put("command", h.command());
        String slurm = System.getenv("SLURM_JOB_ID");
        if (slurm != null) o.put("slurm_job", slurm);
        return (o.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String startOf(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toString).orElse("");
    }

    private static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!h.isEmpty()) return h;
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the resolver
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
