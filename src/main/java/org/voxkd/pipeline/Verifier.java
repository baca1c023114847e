package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.voxkd.io.Checkpoint;
import org.voxkd.nn.NamedTensors;
import org.voxkd.train.TrainConfig;
import org.voxkd.train.Trainer;

/**
 * `voxkd ledger verify ID`: re-runs a recorded configuration in a scratch directory and checks that every
 * recorded metric comes back bit for bit (wall-clock columns excepted), and, where the original checkpoint
 * is still on disk, that the trained weights are identical.
 */
public final class Verifier {
    /** Columns that measure the machine, not the computation. */
    static final List<String> TIMING = List.of("samples_per_s", "seconds");

    private Verifier() {}

    /** Returns the list of mismatches (empty: reproduced bit for bit). */
    public static List<String> verify(ObjectNode record, Path root, Path results, Path scratch, PrintStream log) throws IOException {
        TrainConfig cfg = TrainConfig.fromTree(record.get("config"), root.resolve("ledger-verify.yaml"));
        String dataHash = Trainer.dataHash(cfg);
        List<String> bad = new ArrayList<>();
        if (!dataHash.equals(record.get("data_hash").asText()))
            bad.add("data hash: recorded " + record.get("data_hash").asText() + ", now " + dataHash + " (the data changed)");
        Path dir = scratch.resolve("verify-" + record.get("id").asText());
        ObjectNode again = new InProcessExecutor(log).run(cfg, dir);
        Iterator<JsonNode> a = record.get("history").elements(), b = again.get("history").elements();
        int epoch = 0;
        while (a.hasNext() || b.hasNext()) {
            epoch++;
            if (!a.hasNext() || !b.hasNext()) {
                bad.add("epoch count differs: recorded " + record.get("history").size() + ", re-run " + again.get("history").size());
                break;
            }
            JsonNode x = a.next(), y = b.next();
            for (Iterator<Map.Entry<String, JsonNode>> it = x.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (TIMING.contains(e.getKey())) continue;
                JsonNode v = y.get(e.getKey());
                if (v == null || Double.doubleToLongBits(v.asDouble()) != Double.doubleToLongBits(e.getValue().asDouble()))
                    bad.add("epoch " + epoch + " " + e.getKey() + ": recorded " + e.getValue() + ", re-run " + v);
            }
        }
        Path original = results.resolve(record.get("dir").asText()).resolve("best.ckpt");
        if (Files.exists(original)) {
            Map<String, NamedTensors.Tensor> p = Checkpoint.load(original).tensors(), q = Checkpoint.load(dir.resolve("best.ckpt")).tensors();
            for (String k : p.keySet())
                if (!q.containsKey(k) || !java.util.Arrays.equals(p.get(k).data(), q.get(k).data())) bad.add("best.ckpt tensor " + k + " differs");
        } else log.println("  (the original checkpoint is not on disk: weights not compared, metrics only)");
        return bad;
    }
}
