package org.voxkd.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/** Runs independent per-index I/O work on an explicit number of threads (each index writes only its own slot). */
public final class Workers {
    private Workers() {}

    public interface Body {
        void run(int index) throws IOException;
    }

    public static void forEach(int n, int threads, Body body) throws IOException {
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            pool.submit(() -> IntStream.range(0, n).parallel().forEach(i -> {
                try {
                    body.run(i);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IOException(e.getCause());
        } finally {
            pool.shutdown();
        }
    }
}
