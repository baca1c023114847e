package org.voxkd.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short critical sections shared by every process using a results or data folder: an exclusive lock on a
 * lock file (POSIX {@code fcntl}, which NFSv4 and lockd-backed NFSv3 honour across hosts and which the OS drops
 * when the process dies) plus a monitor per lock file, since a JVM cannot take the same file lock twice.
 */
public final class FileLocks {
    private FileLocks() {}

    /** Work done while holding the lock. */
    @FunctionalInterface
    public interface Body<T> {
        T run() throws IOException;
    }

    private static final ConcurrentHashMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

    /** Runs {@code body} holding the exclusive lock of {@code lockFile} (created when missing, never deleted). */
    public static <T> T locked(Path lockFile, Body<T> body) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        synchronized (MONITORS.computeIfAbsent(key, k -> new Object())) {
            Files.createDirectories(key.getParent());
            try (FileChannel ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                return body.run();
            }
        }
    }
}
