package org.voxkd.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.voxkd.data.DatasetHash;
import org.voxkd.engine.ParameterSet;
import org.voxkd.ledger.Version;
import org.voxkd.nn.NamedTensors;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.train.ModelFiles;
import org.voxkd.train.TrainConfig;

/**
 * A voxkd model's weights as the PyTorch {@code state_dict} of the reference modules (tools/gen_model_fixtures.py):
 * the same names and shapes, in module order. voxkd's state buffer holds each BatchNorm's {@code running_mean} and
 * {@code running_var}; PyTorch adds a third buffer, {@code num_batches_tracked} (int64, shape []), that counts
 * training-mode forwards and only matters with {@code momentum=None} — voxkd uses momentum 0.1 and does not keep it.
 * Export writes it as the training forwards the checkpoint's statistics saw (its provenance {@code step}, else 0);
 * import accepts it (an int64 scalar, any value) or its absence, as PyTorch's own loader does for BatchNorm.
 */
public final class TorchStateDict {
    public static final String TRACKED = ".num_batches_tracked";

    private TorchStateDict() {}

    /** The state dict of {@code model} with weights {params, state}; {@code tracked}: num_batches_tracked of every BatchNorm. */
    public static Map<String, SafeTensors.Tensor> of(SpeakerModel model, float[][] weights, long tracked) {
        Map<String, SafeTensors.Tensor> out = new LinkedHashMap<>();
        NamedTensors.unpack(model.parameters(), weights[0], weights[1]).forEach((name, t) -> {
            out.put(name, SafeTensors.Tensor.f32(t.shape(), t.data()));
            if (name.endsWith(".running_var")) out.put(batchNorm(name) + TRACKED, SafeTensors.Tensor.i64(new int[0], new long[] {tracked}));
        });
        return out;
    }

    private static String batchNorm(String runningVar) { return runningVar.substring(0, runningVar.length() - ".running_var".length()); }

    /**
     * The {params, state} of {@code model} from a state dict, strictly: every tensor present with exactly its shape,
     * nothing else (num_batches_tracked of the model's BatchNorms excepted, see above). {@code source} names the file.
     */
    public static float[][] weights(SpeakerModel model, Map<String, SafeTensors.Tensor> dict, String source) {
        ParameterSet ps = model.parameters();
        Map<String, NamedTensors.Tensor> floats = new LinkedHashMap<>();
        TreeSet<String> bad = new TreeSet<>(), missing = new TreeSet<>(), extra = new TreeSet<>(dict.keySet());
        for (ParameterSet.Entry e : ps.entries()) {
            SafeTensors.Tensor t = dict.get(e.name());
            extra.remove(e.name());
            if (e.name().endsWith(".running_var")) {
                String tracked = batchNorm(e.name()) + TRACKED;
                SafeTensors.Tensor n = dict.get(tracked);
                extra.remove(tracked);
                if (n != null && (!n.dtype().equals("I64") || n.shape().length != 0))
                    bad.add(tracked + ": expected an int64 scalar (shape []), found " + n.dtype() + " " + Arrays.toString(n.shape()));
            }
            if (t == null) missing.add(e.name());
            else if (t.floats() == null) bad.add(e.name() + ": expected a float tensor, found " + t.dtype());
            else if (!Arrays.equals(t.shape(), e.shape()))
                bad.add(e.name() + ": expected shape " + Arrays.toString(e.shape()) + ", found " + Arrays.toString(t.shape()));
            else floats.put(e.name(), new NamedTensors.Tensor(t.shape(), t.floats()));
        }
        if (!missing.isEmpty() || !extra.isEmpty() || !bad.isEmpty()) {
            StringBuilder sb = new StringBuilder(source + " does not match the " + model.kind() + " model:");
            if (!missing.isEmpty()) sb.append("\n  missing tensors: ").append(missing);
            if (!extra.isEmpty()) sb.append("\n  unexpected tensors: ").append(extra);
            for (String b : bad) sb.append("\n  ").append(b);
            throw new IllegalArgumentException(sb.toString());
        }
        return NamedTensors.pack(ps, floats, source);
    }

    /** SHA-256 of a model's flat parameter and state buffers (float bits, little-endian, in order): which weights these are. */
    static String weightsHash(float[][] w) {
        int n = 0;
        for (float[] a : w) n += a.length;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float[] a : w) for (float v : a) b.putInt(Float.floatToRawIntBits(v));
        return DatasetHash.sha256(b.array());
    }

    /**
     * `voxkd export --format safetensors`: the state dict of checkpoint {@code m} (read from {@code file}), with
     * {@code __metadata__} {@code format: pt} (what PyTorch loaders expect), the voxkd version, the model section,
     * the checkpoint's SHA-256 and its provenance (JSON). Written atomically.
     */
    public static void save(Path out, ModelFiles.Loaded m, Path file) throws IOException {
        JsonNode prov = m.meta().get("provenance");
        long tracked = prov != null && prov.has("step") ? prov.get("step").asLong() : 0;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("voxkd.version", Version.version());
        meta.put("voxkd.model_kind", m.model().kind());
        if (m.meta().has("model")) meta.put("voxkd.model", m.meta().get("model").toString());
        meta.put("voxkd.checkpoint_sha256", DatasetHash.sha256(file));
        if (prov != null) meta.put("voxkd.provenance", prov.toString());
        meta.put("voxkd.weights_sha256", weightsHash(m.weights()));
        SafeTensors.write(out, of(m.model(), m.weights(), tracked), meta);
    }

    /**
     * `voxkd import`: the safetensors state dict {@code file} as a voxkd model checkpoint of network {@code section}
     * (strict, see {@link #weights}), with the configuration and class names it came with; its provenance names the
     * file and its SHA-256. Written atomically.
     */
    public static void importCheckpoint(Path file, TrainConfig.Model section, JsonNode config, List<String> classes, Path out) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        float[][] w;
        try {
            w = weights(section.build(), c.tensors(), file.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        ObjectNode prov = new ObjectMapper().createObjectNode();
        prov.put("imported_from", file.toAbsolutePath().normalize().toString());
        prov.put("safetensors_sha256", DatasetHash.sha256(file));
        prov.put("voxkd", Version.version());
        // The decision threshold belongs to the weights it was validated with: kept only when these are exactly the weights
        // voxkd exported (their hash, recorded at export, matches), never for weights changed outside voxkd.
        String exported = c.metadata().get("voxkd.weights_sha256"), was = c.metadata().get("voxkd.provenance");
        if (exported != null && was != null && exported.equals(weightsHash(w))) {
            JsonNode p = new ObjectMapper().readTree(was);
            if (p.path("eer_threshold").isNumber() && Double.isFinite(p.get("eer_threshold").asDouble())) {
                prov.put("eer_threshold", p.get("eer_threshold").asDouble());
                prov.put("eer_threshold_from", "the exported checkpoint's validation (weights unchanged since the export)");
            }
        }
        ModelFiles.save(out, section, config, w, classes, prov);
    }
}
