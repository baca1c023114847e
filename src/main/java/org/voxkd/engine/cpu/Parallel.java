package org.voxkd.engine.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Splits a loop over independent outputs into a fixed number of contiguous chunks, one per worker.
 * Each output element is computed by exactly one thread in a fixed order, so results do not depend
 * on the thread count; kernels never reduce across chunks.
 */
public final class Parallel {
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int THREADS = Math.max(1, Integer.getInteger("voxkd.cpu.threads", Runtime.getRuntime().availableProcessors()));
    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, daemon());
    /** Below this many units of work a loop runs on the calling thread. */
    private static final long MIN_WORK = 1 << 15;
    /** Set while {@link #serially} runs: every loop of this thread then runs whole, on this thread. */
    private static final ThreadLocal<Boolean> SERIAL = ThreadLocal.withInitial(() -> false);

    private Parallel() {}

    public static int threads() { return THREADS; }

    /**
     * Runs {@code work} with every kernel loop it launches from this thread on this thread alone, as with one
     * kernel thread: results must not change (the tests compare the bits).
     */
    public static <T> T serially(java.util.function.Supplier<T> work) {
        boolean was = SERIAL.get();
        SERIAL.set(true);
        try {
            return work.get();
        } finally {
            SERIAL.set(was);
        }
    }

    /** Runs {@code body} over [0, n); {@code costPerItem} (floats touched per index) decides whether to fork. */
    public static void range(int n, int costPerItem, RangeBody body) {
        int chunks = (int) Math.min(THREADS, Math.max(1, (long) n * Math.max(1, costPerItem) / MIN_WORK));
        chunks = Math.min(chunks, Math.max(1, n));
        if (chunks <= 1 || POOL == null || SERIAL.get()) {
            body.run(0, n);
            return;
        }
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            futures[c - 1] = POOL.submit(() -> body.run(from, to));
        }
        body.run(0, (int) ((long) n / chunks));
        try {
            for (Future<?> f : futures) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a cpu kernel", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "voxkd-cpu");
            t.setDaemon(true);
            return t;
        };
    }
}
