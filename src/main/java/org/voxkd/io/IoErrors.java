package org.voxkd.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * I/O failures in words: the user's path and the reason. The JDK's {@link FileSystemException}s often carry only a
 * path (permission denied, no such file, not a directory all print as the bare path), and a failure inside
 * {@link AtomicFiles} names its hidden temporary file; here the reason is put back in words and a temporary file's
 * name is mapped back to the file the user asked for.
 */
public final class IoErrors {
    private IoErrors() {}

    /** The name {@link AtomicFiles} gives its temporary file for {@code target}: {@code .NAME.<random>.tmp} beside it. */
    static final Pattern TEMP = Pattern.compile("^\\.(.+)\\.[0-9a-z]+\\.tmp$");

    /** The reason of an I/O failure in words (lower case, no path). */
    public static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null && !f.getReason().isBlank()) return words(f.getReason());
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof NotDirectoryException) return "not a directory";
        if (e instanceof FileAlreadyExistsException) return "a file of that name already exists";
        if (e instanceof DirectoryNotEmptyException) return "directory not empty";
        if (e instanceof NotLinkException) return "not a symbolic link";
        if (e instanceof FileSystemException) return "file system error";
        if (e.getMessage() != null && !e.getMessage().isBlank()) return e.getMessage();
        return e.getClass().getSimpleName();
    }

    private static String words(String reason) {
        return reason.isEmpty() ? reason : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }

    /** The file the user named for {@code file}: an {@link AtomicFiles} temporary file is reported as its target. */
    public static String userPath(String file) {
        if (file == null) return null;
        Path p = Path.of(file);
        Path name = p.getFileName();
        if (name == null) return file;
        Matcher m = TEMP.matcher(name.toString());
        if (!m.matches()) return file;
        Path parent = p.getParent();
        return (parent == null ? Path.of(m.group(1)) : parent.resolve(m.group(1))).toString();
    }

    /** "PATH: reason" for a file-system failure (the other file too when there is one, e.g. a rename's target). */
    public static String describe(FileSystemException e) {
        String file = userPath(e.getFile()), other = userPath(e.getOtherFile());
        StringBuilder s = new StringBuilder();
        if (file != null) s.append(file);
        if (other != null && !other.equals(file)) s.append(s.length() > 0 ? " → " : "").append(other);
        return (s.length() > 0 ? s + ": " : "") + reason(e);
    }

    /** The same failure re-stated for the file the user asked to write ({@code what}: "cannot write", "cannot create"…). */
    public static IOException onTarget(Path target, String what, IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null && f.getReason().startsWith("cannot ")) return e; // already stated
        IOException out = new FileSystemException(target.toString(), null, what + ": " + (e instanceof FileSystemException f ? reasonAt(f, target) : reason(e)));
        out.initCause(e);
        return out;
    }

    /** The reason, naming the folder when the failure was on a folder above the target (a missing or read-only parent). */
    private static String reasonAt(FileSystemException f, Path target) {
        String file = userPath(f.getFile());
        if (f instanceof FileAlreadyExistsException && file != null && target.toAbsolutePath().normalize().startsWith(Path.of(file).toAbsolutePath().normalize())
                && !java.nio.file.Files.isDirectory(Path.of(file)))
            return "not a directory (" + file + " is a file)"; // a folder on the way is a file
        Path dir = target.toAbsolutePath().getParent();
        if (file != null && !file.equals(target.toString()) && !file.equals(target.toAbsolutePath().toString())
                && !(dir != null && Path.of(file).toAbsolutePath().getParent() != null && Path.of(file).toAbsolutePath().getParent().equals(dir)))
            return reason(f) + " (" + file + ")";
        return reason(f);
    }
}
