package org.voxkd.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.voxkd.audio.FrontEnd;
import org.voxkd.audio.Wav;

/**
 * Audio conversion to 16 kHz mono 16-bit PCM WAV by an external {@code ffmpeg} (Debian's package decodes VoxCeleb2's AAC;
 * a Java AAC decoder would be a large dependency for a one-off conversion). Each output is written to
 * {@code .NAME.partial-PID.wav} in its folder, checked, then hard-linked to its name: a finished file is never overwritten
 * and never seen half-written, and an interrupted conversion resumes by skipping the files that exist.
 */
public final class Ffmpeg {
    private Ffmpeg() {}

    private static final Pattern PARTIAL = Pattern.compile("\\..+\\.partial-(\\d+)\\.wav");

    /** The ffmpeg arguments for one file: mono, 16 kHz, 16-bit PCM, no metadata chunk (bitexact: the same bytes every run). */
    static List<String> command(String ffmpeg, String in, String out) {
        return List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", in, "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le",
                "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "wav", "-y", out);
    }

    /** Throws a clear error when {@code ffmpeg} cannot be run ({@code what}: why it is needed). */
    public static void require(String ffmpeg, String what) throws IOException {
        String reason;
        try {
            Process p = new ProcessBuilder(ffmpeg, "-version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() == 0) return;
            reason = "'" + ffmpeg + " -version' exited " + p.exitValue();
        } catch (IOException e) {
            reason = "'" + ffmpeg + "' cannot be run (" + (e.getMessage() == null ? e.toString() : e.getMessage().replaceFirst("^Cannot run program \"[^\"]*\": ", "")) + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking for ffmpeg", e);
        }
        throw new IOException("ffmpeg is needed to " + what + " but " + reason + ": install it (Debian/Ubuntu: sudo apt-get install ffmpeg) "
                + "or pass --ffmpeg PATH");
    }

    /**
     * Converts every {@code {source, target relative to root}} whose target does not exist yet, {@code jobs} at a time,
     * printing progress and ETA every {@code progressSeconds} to {@code log}. Files that fail are collected and reported
     * together after the others are done. Returns {converted now, already there}.
     */
    public static int[] convertAll(String ffmpeg, List<String[]> jobsList, Path root, int jobs, double progressSeconds, PrintStream log)
            throws IOException, InterruptedException {
        List<String[]> todo = new ArrayList<>();
        for (String[] j : jobsList) if (!Files.exists(root.resolve(j[1]))) todo.add(j);
        int already = jobsList.size() - todo.size();
        if (todo.isEmpty()) return new int[] {0, already};
        require(ffmpeg, "convert " + todo.size() + " VoxCeleb2 .m4a files to 16 kHz WAV");
        removeStalePartials(todo, root, log);
        if (already > 0) log.printf(Locale.ROOT, "resuming: %d of %d files already converted%n", already, jobsList.size());
        Set<Process> live = ConcurrentHashMap.newKeySet();
        Thread killer = new Thread(() -> live.forEach(Process::destroyForcibly)); // Ctrl-C: no orphaned ffmpeg keeps writing
        Runtime.getRuntime().addShutdownHook(killer);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            for (String[] j : todo)
                pool.execute(() -> {
                    try {
                        convert(ffmpeg, j[0], root.resolve(j[1]), live);
                    } catch (IOException e) {
                        failures.add(e.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    done.incrementAndGet();
                });
            pool.shutdown();
            long last = System.nanoTime();
            while (!pool.awaitTermination(200, TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                if ((now - last) / 1e9 >= progressSeconds) {
                    last = now;
                    log.println(progress(done.get(), todo.size(), (now - t0) / 1e9));
                }
            }
        } finally {
            pool.shutdownNow();
            live.forEach(Process::destroyForcibly);
            try { Runtime.getRuntime().removeShutdownHook(killer); } catch (IllegalStateException e) { /* shutting down */ }
        }
        log.println(progress(done.get(), todo.size(), (System.nanoTime() - t0) / 1e9));
        if (!failures.isEmpty()) {
            List<String> f = new ArrayList<>(failures);
            f.sort(null);
            throw new IOException(Problems.summary(f.size() + " of " + todo.size() + " files could not be converted (the others are done; run again to retry)",
                    f, "voxkd-ffmpeg-failures"));
        }
        return new int[] {todo.size(), already};
    }

    static String progress(int done, int total, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 ? duration((total - done) / rate) : "?";
        return String.format(Locale.ROOT, "  converted %d/%d (%.1f%%), %.1f files/s, ETA %s", done, total, 100.0 * done / total, rate, eta);
    }

    static String duration(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60) : t >= 60 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60) : t + "s";
    }

    /** One file: ffmpeg to a temporary name, checked as 16 kHz audio, linked to its name (never replacing one). */
    static void convert(String ffmpeg, String in, Path target, Set<Process> live) throws IOException, InterruptedException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".partial-" + ProcessHandle.current().pid() + ".wav");
        try {
            Process p = new ProcessBuilder(command(ffmpeg, in, tmp.toString())).redirectErrorStream(true).start();
            live.add(p);
            String msg;
            try {
                msg = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
                p.waitFor();
            } finally {
                live.remove(p);
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
                String last = msg.isEmpty() ? "no message" : msg.lines().reduce((a, b) -> b).orElse(msg);
                throw new IOException(in + ": ffmpeg exited " + p.exitValue() + " (" + last + ")");
            }
            try {
                Wav.Info info = Wav.probe(tmp, FrontEnd.SAMPLE_RATE);
                if (info.channels() != 1 || info.frames() == 0) throw new IOException(info.channels() + " channels, " + info.frames() + " samples");
            } catch (IOException e) {
                throw new IOException(in + ": ffmpeg's output is not usable 16 kHz mono audio (" + e.getMessage() + ")");
            }
            try {
                Files.createLink(target, tmp);
            } catch (FileAlreadyExistsException e) {
                // another process finished the same file first: theirs is kept
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                // no hard links on this file system: an atomic rename that refuses an existing target does the same job
                if (!Files.exists(target)) Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Temporary files left by an interrupted run (its pid is gone) in the folders still to convert. */
    private static void removeStalePartials(List<String[]> todo, Path root, PrintStream log) throws IOException {
        Set<Path> dirs = new java.util.TreeSet<>();
        for (String[] j : todo) dirs.add(root.resolve(j[1]).getParent());
        int removed = 0;
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) continue;
            try (var s = Files.list(d)) {
                for (Path f : s.toList()) {
                    Matcher m = PARTIAL.matcher(f.getFileName().toString());
                    if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false) == false) {
                        Files.deleteIfExists(f);
                        removed++;
                    }
                }
            }
        }
        if (removed > 0) log.println("removed " + removed + " partial files left by an interrupted run");
    }
}
