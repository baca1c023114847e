package org.voxkd.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.io.Checkpoint;
import org.voxkd.nn.NamedTensors;
import org.voxkd.nn.SpeakerModel;

/**
 * Model checkpoints: the tensors by PyTorch name, and a header that rebuilds the network and says what
 * made it (resolved configuration, classes, data hash, epoch, validation figures).
 */
public final class ModelFiles {
    static final ObjectMapper JSON = new ObjectMapper();

    private ModelFiles() {}

    /** A loaded model with its weights and header. */
    public record Loaded(SpeakerModel model, float[][] weights, ObjectNode meta) {
        /** The verification threshold chosen at the best validation (its EER point), if there was one. */
        public Double threshold() {
            JsonNode p = meta.get("provenance");
            return p != null && p.has("eer_threshold") ? p.get("eer_threshold").asDouble() : null;
        }
    }

    static ObjectNode meta(TrainConfig cfg, SpeakerModel model, List<String> classes, ObjectNode provenance) {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("format", "voxkd-model-1");
        meta.put("kind", model.kind());
        meta.set("model", cfg.toTree().get("model"));
        meta.set("config", cfg.toTree());
        meta.put("parameters", model.parameters().parameterCount());
        var cl = meta.putArray("classes");
        classes.forEach(cl::add);
        meta.set("provenance", provenance);
        return meta;
    }

    static Map<String, NamedTensors.Tensor> tensors(SpeakerModel model, float[][] weights) {
        return NamedTensors.unpack(model.parameters(), weights[0], weights[1]);
    }

    /**
     * Writes a model checkpoint: {@code cfg}'s model section (which must describe {@code model}), its
     * {params, state} weights, the class names and a provenance object ({@code eer_threshold} in it becomes
     * {@link Loaded#threshold()}). Written atomically.
     */
    public static void save(Path path, TrainConfig cfg, SpeakerModel model, float[][] weights, List<String> classes, ObjectNode provenance) throws IOException {
        save(path, cfg, model, weights, classes, provenance, Map.of());
    }

    /**
     * As above, with training-side tensors after the model's: the classifier head ({@code classifier.weight}, over
     * {@code classes} in order — what label-level distillation from this model reads) and adapters ({@code adapters.*}).
     * Loading a model skips them.
     */
    public static void save(Path path, TrainConfig cfg, SpeakerModel model, float[][] weights, List<String> classes, ObjectNode provenance,
                            Map<String, NamedTensors.Tensor> heads) throws IOException {
        Map<String, NamedTensors.Tensor> t = new LinkedHashMap<>(tensors(model, weights));
        heads.forEach((k, v) -> {
            if (!isTrainingTensor(k)) throw new IllegalArgumentException("checkpoint extra " + k + " is not a classifier or adapter tensor");
            t.put(k, v);
        });
        Checkpoint.save(path, meta(cfg, model, classes, provenance), t);
    }

    /** Tensors that belong to training, not to the model: the classifier, adapters, optimiser moments. */
    static boolean isTrainingTensor(String name) {
        return name.startsWith("classifier.") || name.startsWith("adapters.") || name.startsWith("adam.");
    }

    /** Rebuilds the network a checkpoint header describes. */
    static SpeakerModel model(ObjectNode meta, String source) throws IOException {
        JsonNode m = meta.get("model");
        if (m == null) throw new IOException(source + ": checkpoint header has no model section");
        return TrainConfig.YAML.treeToValue(m, TrainConfig.Model.class).build();
    }

    /** The model's own tensors (no classifier, adapters or optimiser state). */
    static Map<String, NamedTensors.Tensor> modelTensors(Map<String, NamedTensors.Tensor> all) {
        Map<String, NamedTensors.Tensor> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (!isTrainingTensor(k)) out.put(k, v);
        });
        return out;
    }

    /** Loads a model checkpoint strictly: every tensor present, none extra, every shape right. */
    public static Loaded load(Path path) throws IOException {
        Checkpoint.Contents c = Checkpoint.load(path);
        SpeakerModel model = model(c.meta(), path.toString());
        float[][] w = NamedTensors.pack(model.parameters(), modelTensors(c.tensors()), "checkpoint " + path);
        return new Loaded(model, w, c.meta());
    }
}
