package org.voxkd.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Checks, before any work starts, that a command's output is not one of its inputs: the same path, the same file
 * under another name (a hard link) or a symbolic link to it. Writing atomically would otherwise replace the input
 * with the output (the model with its ONNX export, a trial list with its scores) and exit 0.
 */
public final class OutputGuard {
    private OutputGuard() {}

    /** One input of a command: how the user gave it (an option, "a file listed in --list") and its path. */
    public record Input(String what, Path path) {}

    public static Input input(String what, Path path) {
        return new Input(what, path);
    }

    /** Refuses {@code output} (given as {@code outOption}) when it is any of {@code inputs}; inputs that do not exist are skipped. */
    public static void refuseInputs(String outOption, Path output, Input... inputs) throws IOException {
        refuseInputs(outOption, output, List.of(inputs));
    }

    public static void refuseInputs(String outOption, Path output, Collection<Input> inputs) throws IOException {
        if (output == null) return;
        Path outAbs = output.toAbsolutePath().normalize();
        boolean exists = Files.exists(output); // follows a symbolic link: a link to an input exists
        Object outKey = exists ? key(output) : null;
        for (Input in : inputs) {
            if (in.path() == null) continue;
            Path inAbs = in.path().toAbsolutePath().normalize();
            String how = null;
            if (inAbs.equals(outAbs)) how = "the same file as";
            else if (exists && Files.exists(in.path()) && Files.isSameFile(output, in.path()))
                how = Files.isSymbolicLink(output) ? "a symbolic link to" : Files.isSymbolicLink(in.path()) ? "the file behind the symbolic link"
                        : outKey != null && outKey.equals(key(in.path())) ? "a hard link to (the same file as)" : "the same file as";
            if (how != null)
                throw new IOException("refusing to write " + outOption + " " + output + ": it is " + how + " " + in.what() + " " + in.path()
                        + ", which would be overwritten; choose another output file");
        }
    }

    /**
     * As above for a long list of input files (the WAVs of a list): one file-key look-up per input, and only when the
     * output already exists (a new file cannot be an input).
     */
    public static void refuseListed(String outOption, Path output, String what, Path root, Collection<String> paths) throws IOException {
        if (output == null) return;
        Path outAbs = output.toAbsolutePath().normalize();
        boolean exists = Files.exists(output);
        Object outKey = exists ? key(output) : null;
        for (String p : paths) {
            Path f = root.resolve(p);
            if (f.toAbsolutePath().normalize().equals(outAbs) || (outKey != null && outKey.equals(key(f)))) {
                refuseInputs(outOption, output, new Input(what, f));
                return;
            }
        }
    }

    /** The file key (device and inode on POSIX) of the file a path leads to, or null when it does not exist or the platform has none. */
    private static Object key(Path p) {
        try {
            return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
