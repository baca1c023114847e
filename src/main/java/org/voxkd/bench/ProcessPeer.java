package org.voxkd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A peer that is a separate process (so both see the same machine, one after the other, and voxkd's jar ships none of
 * its libraries): it prints one JSON line with {@code kd_train_samples_per_s} and/or {@code student_infer_samples_per_s};
 * {@code version} names the keys that describe what ran. Missing files are checked first, with the fix in the message.
 */
public final class ProcessPeer {
    private ProcessPeer() {}

    /** A file the peer needs, and what to do when it is missing. */
    public record Needs(Path file, boolean executable, String fix) {}

    /**
     * @param command the command line for given shapes
     * @param versionKeys JSON keys joined into the version text ("torch", "libtorch" …)
     */
    public static Peer of(String name, List<Needs> needs, Map<String, String> env, Function<Peer.Shapes, List<String>> command,
                          List<String> versionKeys, long timeoutSeconds) {
        return new Peer(name, s -> {
            for (Needs n : needs) {
                if (!Files.isRegularFile(n.file())) return Peer.Result.failed(n.file() + " not found (" + n.fix() + ")");
                if (n.executable() && !Files.isExecutable(n.file())) return Peer.Result.failed(n.file() + " is not executable (" + n.fix() + ")");
            }
            return run(command.apply(s), env, versionKeys, timeoutSeconds);
        });
    }

    static Peer.Result run(List<String> cmd, Map<String, String> env, List<String> versionKeys, long timeoutSeconds) {
        try {
            File log = File.createTempFile("voxkd-peer", ".log");
            log.deleteOnExit();
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log);
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Peer.Result.failed("timed out after " + timeoutSeconds + " s");
            }
            String text = Files.readString(log.toPath(), StandardCharsets.UTF_8);
            Files.deleteIfExists(log.toPath());
            String json = text.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
            if (p.exitValue() != 0 || json == null) {
                String last = text.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(no output)");
                return Peer.Result.failed("exited with " + p.exitValue() + ": " + last.strip()
                        + (last.contains("No module named 'torch'") ? " (apt-get install python3-torch)" : ""));
            }
            JsonNode o = new ObjectMapper().readTree(json);
            StringBuilder version = new StringBuilder();
            for (String k : versionKeys)
                if (o.has(k)) version.append(version.isEmpty() ? "" : ", ").append(k).append(' ').append(o.get(k).asText());
            return new Peer.Result(version.toString(), o.path("kd_train_samples_per_s").asDouble(Double.NaN),
                    o.path("student_infer_samples_per_s").asDouble(Double.NaN), null);
        } catch (IOException e) {
            return Peer.Result.failed("could not run " + cmd.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Peer.Result.failed("interrupted while waiting for the peer");
        }
    }
}
