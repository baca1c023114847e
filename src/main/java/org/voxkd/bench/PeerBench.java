package org.voxkd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch performance peer ({@code shared/peers/pytorch_cpu_bench.py}): the same models, batch, frames, classes
 * and thread count, run as a separate process right after voxkd's own benchmarks so both see the same machine.
 * The peer prints one JSON line; {@link #run} returns it, or says in one line why there is no peer figure.
 */
public final class PeerBench {
    private PeerBench() {}

    /** The peer's figures (samples/s) and its PyTorch version; {@code error} is set instead when it could not run. */
    public record Result(String torch, double trainSamplesPerSecond, double inferSamplesPerSecond, String error) {
        public boolean ok() { return error == null; }

        static Result failed(String why) { return new Result(null, Double.NaN, Double.NaN, why); }
    }

    /** Runs {@code python script bench …} with voxkd's shapes; never throws for a missing peer, only reports it. */
    public static Result run(Path python, Path script, int batch, int frames, int classes, int threads, int steps, long timeoutSeconds) {
        if (!Files.isRegularFile(script)) return Result.failed("peer script " + script + " not found");
        if (!Files.isExecutable(python)) return Result.failed(python + " not found (apt-get install python3-torch)");
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString(), "bench", "--batch", Integer.toString(batch),
                "--frames", Integer.toString(frames), "--classes", Integer.toString(classes), "--threads", Integer.toString(threads),
                "--steps", Integer.toString(steps), "--warmup", "1"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Result.failed("peer timed out after " + timeoutSeconds + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            String json = text.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
            if (p.exitValue() != 0 || json == null) {
                String last = text.lines().reduce((a, b) -> b).orElse("(no output)");
                return Result.failed("peer exited with " + p.exitValue() + ": " + last.strip()
                        + (last.contains("No module named 'torch'") ? " (apt-get install python3-torch)" : ""));
            }
            JsonNode o = new ObjectMapper().readTree(json);
            return new Result(o.path("torch").asText("?"), o.path("kd_train_samples_per_s").asDouble(Double.NaN),
                    o.path("student_infer_samples_per_s").asDouble(Double.NaN), null);
        } catch (IOException e) {
            return Result.failed("peer could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.failed("interrupted while waiting for the peer");
        }
    }
}
