package org.voxkd.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a reader sees either the old content or the new, never half of one: the data
 * goes to a temporary file in the same directory, is forced to disk, then renamed over the target.
 * The temporary file is created like any other file (mode 0666 less the process umask, so a results folder shared
 * with a group stays readable to it; {@code Files.createTempFile} would make it 0600), and a failure names the
 * target and the reason, never the temporary file ({@link IoErrors}).
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Produces the content into a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    public static void write(Path target, Writer writer) throws IOException {
        try {
            writeOrFail(target, writer);
        } catch (IOException e) {
            throw IoErrors.onTarget(target, "cannot write", e);
        }
    }

    private static void writeOrFail(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = tempFile(dir, target);
        try {
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE);
                 OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Creates {@code target} with {@code content} only if no file of that name exists, atomically even across hosts
     * on a shared file system: the content is written and forced to a temporary file, then hard-linked to the name
     * (a link fails when the name exists, and a reader never sees a partial file). Where the file system has no
     * hard links, an exclusive create ({@code O_EXCL}) is used instead. Returns whether this call created it.
     */
    public static boolean createExclusive(Path target, byte[] content) throws IOException {
        try {
            return createExclusiveOrFail(target, content);
        } catch (IOException e) {
            throw IoErrors.onTarget(target, "cannot create", e);
        }
    }

    private static boolean createExclusiveOrFail(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = tempFile(dir, target);
        try {
            Files.write(tmp, content);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.createLink(target, tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                // no hard links here: an exclusive create is atomic too, only not invisible while being written
                try (var ch = java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.write(java.nio.ByteBuffer.wrap(content));
                    ch.force(true);
                } catch (java.nio.file.FileAlreadyExistsException again) {
                    return false;
                }
            }
            syncDirectory(dir);
            return true;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /**
     * A new empty file {@code .NAME.<random>.tmp} in {@code dir}, created exclusively with the default permissions
     * (0666 less the umask), unlike {@code Files.createTempFile}'s 0600.
     */
    static Path tempFile(Path dir, Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try {
                Files.newByteChannel(tmp, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE).close();
                return tmp;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
            }
        }
    }

    /** Forces a directory's entries (a rename or a new name) to disk; a no-op where the platform cannot. */
    public static void syncDirectory(Path dir) {
        try (var ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform or file system can sync a directory; the data itself is already forced
        }
    }

    /** Like {@link #write} but refuses to replace an existing file (a finished run is never overwritten). */
    public static void create(Path target, Writer writer) throws IOException {
        if (Files.exists(target)) throw new java.nio.file.FileAlreadyExistsException(target + " exists; refusing to overwrite it");
        write(target, writer);
    }
}
