package org.voxkd.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One smoke-profile SynthVox corpus per test JVM, shared by the data tests (deleted on exit). */
public final class SmokeCorpus {
    static final long SEED = 1;
    private static SynthVox.Manifest manifest;
    static double generationSeconds;

    public static synchronized SynthVox.Manifest get() {
        if (manifest == null) {
            try {
                Path dir = Files.createTempDirectory("voxkd-smoke");
                long t0 = System.nanoTime();
                manifest = SynthVox.generate(SynthVox.Profile.SMOKE, SEED, dir, 2);
                generationSeconds = (System.nanoTime() - t0) / 1e9;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> TestFiles.deleteTree(dir)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return manifest;
    }

    private SmokeCorpus() {}
}
