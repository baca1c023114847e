package org.voxkd.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.voxkd.ledger.Ledger;

/**
 * Runs a reproduction's runs in this JVM, one at a time, through {@link RunJob}. Several processes may share one
 * results folder (e.g. one per GPU, or a second reproduction started by mistake): each run is trained by whichever
 * claims it first. This process takes, in plan order, the first run whose needed runs are finished and that nobody
 * holds; when every remaining run is held by another live process (or needs one that is), it waits — printing who
 * holds what — or, with {@link OnClaimed#SKIP}, leaves them (and the runs needing them) to the other processes.
 */
public final class InProcessExecutor implements Executor {
    /** What to do about runs that another live process holds. */
    public enum OnClaimed {
        WAIT, SKIP;

        /** From the command line's {@code --on-claimed wait|skip}. */
        public static OnClaimed parse(String s) {
            return switch (s) {
                case "wait" -> WAIT;
                case "skip" -> SKIP;
                default -> throw new IllegalArgumentException("--on-claimed must be wait or skip, got " + s);
            };
        }
    }

    /** Default time without a heartbeat after which a claim is stale. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(5);

    private final PrintStream log;
    private OnClaimed onClaimed = OnClaimed.WAIT;
    private Duration staleAfter = STALE_AFTER, poll = Duration.ofSeconds(5), note = Duration.ofSeconds(30);
    private String command = "voxkd reproduce";
    private final List<String> skipped = new ArrayList<>();

    public InProcessExecutor(PrintStream log) { this.log = log; }

    /** Wait for or skip runs held by other processes; a claim is stale after {@code staleAfter} without a heartbeat; look again every {@code poll}. */
    public InProcessExecutor claims(OnClaimed onClaimed, Duration staleAfter, Duration poll) {
        this.onClaimed = onClaimed;
        this.staleAfter = staleAfter;
        this.poll = poll;
        return this;
    }

    /** What claims made by this process say it is (e.g. "voxkd train --run runs/ID"). */
    public InProcessExecutor command(String command) {
        this.command = command;
        return this;
    }

    /** The runs the last {@link #execute} left to other processes ({@link OnClaimed#SKIP}), as labels. */
    public List<String> skipped() { return List.copyOf(skipped); }

    @Override public void execute(List<RunPlan> runs, Path root, Path results) throws IOException {
        long t0 = System.nanoTime();
        skipped.clear();
        Ledger ledger = new Ledger(results);
        List<RunPlan> pending = new ArrayList<>();
        for (RunPlan r : runs) if (r.complete == null) pending.add(r);
        Set<String> pendingDirs = new HashSet<>();
        pending.forEach(r -> pendingDirs.add(r.dir));
        String lastWait = null;
        long lastNote = 0;
        while (!pending.isEmpty()) {
            boolean progress = false;
            Map<String, String> blocked = new LinkedHashMap<>(); // label → why it cannot start now
            Set<String> finished = finished(ledger);
            for (Iterator<RunPlan> it = pending.iterator(); it.hasNext() && !progress; ) {
                RunPlan r = it.next();
                String need = null;
                for (RunPlan.Need n : r.needs) if (need == null && !finished.contains(n.id() + " " + n.dir())) need = n.dir();
                if (need != null) {
                    Optional<Claim.Holder> h = Claim.holder(results.resolve(need));
                    if (!pendingDirs.contains(need) && h.isEmpty())
                        throw new IOException(r.label + " needs run " + need + ", which is not finished, not planned here and not held by another process");
                    blocked.put(r.label, "needs " + need + h.map(x -> " (held by " + x.who() + ")").orElse(""));
                    continue;
                }
                Optional<Claim.Holder> held = finished.contains(r.id + " " + r.dir) ? Optional.empty() : Claim.holder(results.resolve(r.dir));
                if (held.isPresent() && held.get().staleBecause(staleAfter, Instant.now()) == null) {
                    blocked.put(r.label, "held by " + held.get().who() + ", heartbeat " + Duration.between(held.get().heartbeat(), Instant.now()).toSeconds() + " s ago");
                    continue;
                }
                String start = String.format("%s: training (%.0f s elapsed in this reproduction)", r.label, (System.nanoTime() - t0) / 1e9);
                RunJob.Attempt a = RunJob.attempt(root, results, r.dir, staleAfter, command, start, log);
                if (a.result() == RunJob.Result.CLAIMED) {
                    blocked.put(r.label, a.holder().map(h -> "held by " + h.who()).orElse("its claim is changing hands"));
                    continue;
                }
                if (a.result() == RunJob.Result.DONE) log.println(r.label + ": finished by another process");
                it.remove();
                pendingDirs.remove(r.dir);
                progress = true; // start again from the top: alone, runs go in plan order
            }
            if (progress) continue;
            if (onClaimed == OnClaimed.SKIP) {
                blocked.forEach((label, why) -> {
                    log.println(label + ": left to another process (" + why + ")");
                    skipped.add(label);
                });
                return;
            }
            Map.Entry<String, String> first = blocked.entrySet().iterator().next();
            String wait = String.format("waiting for %d run%s that other processes hold or need: %s %s%s", blocked.size(), blocked.size() == 1 ? "" : "s",
                    first.getKey(), first.getValue(), blocked.size() > 1 ? ", …" : "");
            if (!wait.equals(lastWait) || System.nanoTime() - lastNote > note.toNanos()) {
                log.println(wait);
                lastWait = wait;
                lastNote = System.nanoTime();
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for runs held by other processes", e);
            }
        }
    }

    /** "id dir" of every complete record. */
    private static Set<String> finished(Ledger ledger) throws IOException {
        Set<String> out = new HashSet<>();
        for (var rec : ledger.records()) if ("complete".equals(rec.path("status").asText())) out.add(rec.get("id").asText() + " " + rec.path("dir").asText());
        return out;
    }
}
