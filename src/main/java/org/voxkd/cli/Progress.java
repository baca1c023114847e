package org.voxkd.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * A progress line for long command-line work, like training's: "  features 1200/3000 utterances, 45.1/s, ETA 0m40s",
 * printed at most every {@code every} seconds (and once when the phase completes), from any thread.
 */
final class Progress implements IntConsumer {
    private final PrintWriter out;
    private final String what, unit;
    private final int total;
    private final long t0 = System.nanoTime(), everyNanos;
    private long last;
    private int shown = -1;

    Progress(PrintWriter out, String what, int total, String unit, double everySeconds) {
        this.out = out;
        this.what = what;
        this.total = total;
        this.unit = unit;
        this.everyNanos = (long) (everySeconds * 1e9);
        this.last = t0;
    }

    @Override public synchronized void accept(int done) {
        long now = System.nanoTime();
        if (done <= shown || (done < total && now - last < everyNanos)) return;
        last = now;
        shown = done;
        double el = (now - t0) / 1e9, rate = done / Math.max(el, 1e-9);
        out.printf(Locale.ROOT, "  %s %d/%d %s, %.1f/s, %s%n", what, done, total, unit, rate,
                done >= total ? String.format(Locale.ROOT, "done in %.1f s", el) : "ETA " + eta((total - done) / rate));
        out.flush();
    }

    static String eta(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60) : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
