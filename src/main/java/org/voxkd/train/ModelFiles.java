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

    /** The header of a configuration as recorded ({@code config}: a resolved configuration's tree, its paths made portable). */
    static ObjectNode meta(JsonNode config, SpeakerModel model, List<String> classes, ObjectNode provenance) {
        return meta(config.get("model"), config, model, classes, provenance);
    }

    private static ObjectNode meta(JsonNode modelSection, JsonNode config, SpeakerModel model, List<String> classes, ObjectNode provenance) {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("format", "voxkd-model-1");
        meta.put("kind", model.kind());
        meta.set("model", modelSection);
        meta.set("config", config);
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
        save(path, cfg.toTree(), model, weights, classes, provenance, heads);
    }

    /** As above with the configuration as recorded (a resolved configuration's tree, e.g. with its paths relative to the project). */
    public static void save(Path path, JsonNode config, SpeakerModel model, float[][] weights, List<String> classes, ObjectNode provenance,
                            Map<String, NamedTensors.Tensor> heads) throws IOException {
        Map<String, NamedTensors.Tensor> t = new LinkedHashMap<>(tensors(model, weights));
        heads.forEach((k, v) -> {
            if (!isTrainingTensor(k)) throw new IllegalArgumentException("checkpoint extra " + k + " is not a classifier or adapter tensor");
            t.put(k, v);
        });
        Checkpoint.save(path, meta(config, model, classes, provenance), t);
    }

    /** Tensors that belong to training, not to the model: the classifier, adapters, optimiser moments. */
    static boolean isTrainingTensor(String name) {
        return name.startsWith("classifier.") || name.startsWith("adapters.") || name.startsWith("adam.");
    }

    /**
     * Writes a model checkpoint for weights that did not come from a voxkd training run (`voxkd import`): the model
     * section ({@code TrainConfig.Model}, resolved), the configuration it came with, and a provenance saying where
     * the weights came from. Written atomically.
     */
    public static void save(Path path, TrainConfig.Model modelSection, JsonNode config, float[][] weights, List<String> classes,
                            ObjectNode provenance) throws IOException {
        SpeakerModel model = modelSection.build();
        JsonNode section = TrainConfig.YAML.valueToTree(modelSection);
        Checkpoint.save(path, meta(section, config, model, classes, provenance), tensors(model, weights));
    }

    /** Rebuilds the network a checkpoint header describes. */
    static SpeakerModel model(ObjectNode meta, String source) throws IOException {
        TrainConfig.Model section = modelSection(meta, source);
        try {
            return section.build();
        } catch (IllegalArgumentException | NullPointerException e) {
            // a header from another version, or edited by hand: say which file (a missing size unboxes to NPE)
            throw new IOException(source + ": the checkpoint's model section does not describe a voxkd model ("
                    + (e instanceof NullPointerException || e.getMessage() == null ? "a size is missing" : e.getMessage()) + ")", e);
        }
    }

    /** The model section of a checkpoint header. */
    public static TrainConfig.Model modelSection(ObjectNode meta, String source) throws IOException {
        JsonNode m = meta.get("model");
        if (m == null || !m.isObject()) throw new IOException(source + ": checkpoint header has no model section");
        String kind = m.path("kind").asText("");
        if (!kind.equals("student") && !kind.equals("teacher"))
            throw new IOException(source + ": the checkpoint's model.kind is '" + kind + "', not student or teacher");
        return TrainConfig.model(m, source);
    }

    /** The model's own tensors (no classifier, adapters or optimiser state). */
    static Map<String, NamedTensors.Tensor> modelTensors(Map<String, NamedTensors.Tensor> all) {
        Map<String, NamedTensors.Tensor> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (!isTrainingTensor(k)) out.put(k, v);
        });
        return out;
    }

    /** Loads a model checkpoint strictly: every tensor present, none extra, every shape right, a stored threshold finite. */
    public static Loaded load(Path path) throws IOException { return loaded(Checkpoint.load(path), path); }

    /** {@link #load} of checkpoint contents already read from {@code path}. */
    static Loaded loaded(Checkpoint.Contents c, Path path) throws IOException {
        SpeakerModel model = model(c.meta(), path.toString());
        float[][] w;
        try {
            w = NamedTensors.pack(model.parameters(), modelTensors(c.tensors()), "checkpoint " + path);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        JsonNode t = c.meta().path("provenance").path("eer_threshold");
        if (!t.isMissingNode() && !(t.isNumber() && Double.isFinite(t.asDouble())))
            throw new IOException(path + ": the stored decision threshold (provenance.eer_threshold) is not a finite number: " + t);
        return new Loaded(model, w, c.meta());
    }
}
