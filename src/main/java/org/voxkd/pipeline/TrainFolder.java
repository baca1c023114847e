package org.voxkd.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folder of `voxkd train --config … --out DIR`: refused when it holds files training did not write, then claimed
 * like a planned run's ({@link Claim}: one writer; a second `train --out DIR` is refused while the first is alive,
 * a dead holder's claim is taken over), and released when training ends or the process is stopped.
 */
public final class TrainFolder implements AutoCloseable {
    /** What training writes into its folder (with the claim's files). */
    static final Set<String> OWN = Set.of("config.json", "epochs.csv", "last.ckpt", "best.ckpt", "scores.txt", "test_scores.txt", "done.json",
            "failed.json", Claim.FILE, Claim.LOCK);
    /** Files that prove a run lives here (begun, finished or claimed). */
    static final Set<String> RUN = Set.of("last.ckpt", "done.json", "failed.json", Claim.FILE);

    private final Claim claim;
    private final Thread hook;

    private TrainFolder(Claim claim, Thread hook) {
        this.claim = claim;
        this.hook = hook;
    }

    /** Checks and claims {@code out}; {@code staleAfter}: a claim without a heartbeat for this long is a dead writer's. */
    public static TrainFolder claim(Path out, String command, Duration staleAfter, PrintStream log) throws IOException {
        check(out);
        Optional<Claim> c = Claim.tryAcquire(out, staleAfter, command, log);
        if (c.isEmpty()) {
            String who = Claim.holder(out).map(h -> h.who() + " (" + h.command() + ", since " + h.start() + ")").orElse("another process");
            throw new IOException(out + " is being trained by " + who + "; two runs must not share a folder: choose another --out, "
                    + "or wait for it and resume with --resume");
        }
        Claim claim = c.get();
        Thread hook = new Thread(() -> {
            try {
                claim.close();
            } catch (IOException | RuntimeException e) {
                // exiting anyway: the claim goes stale instead
            }
        }, "release " + out);
        Runtime.getRuntime().addShutdownHook(hook);
        return new TrainFolder(claim, hook);
    }

    /**
     * Refuses a path that is not a folder, and a folder that holds files training did not write: anything when no run
     * lives there (no last.ckpt, done.json, failed.json or claim), so a user's own config.json or scores.txt is never
     * overwritten. A run's own folder (to resume, or to be refused by the trainer when finished) passes.
     */
    public static void check(Path out) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new IOException(out + ": --out must be a folder, and this is a file");
        if (!Files.isDirectory(out)) return;
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            s.map(p -> p.getFileName().toString()).filter(n -> !isOwnTemp(n)).sorted().forEach(names::add);
        }
        if (names.stream().anyMatch(RUN::contains)) return;
        names.remove(Claim.LOCK);
        if (names.isEmpty()) return;
        List<String> shown = names.subList(0, Math.min(5, names.size()));
        throw new IOException(out + " holds " + names.size() + " file" + (names.size() == 1 ? "" : "s") + " that voxkd train did not write ("
                + String.join(", ", shown) + (names.size() > shown.size() ? ", …" : "") + "); refusing to overwrite them: train into a new or empty folder");
    }

    /** An interrupted atomic write of one of training's files ({@code .NAME.<random>.tmp}). */
    private static boolean isOwnTemp(String name) {
        var m = java.util.regex.Pattern.compile("^\\.(.+)\\.[0-9a-z]+\\.tmp$").matcher(name);
        return m.matches() && OWN.contains(m.group(1));
    }

    @Override public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
        claim.close();
    }
}
