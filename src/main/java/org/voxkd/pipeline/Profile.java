package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An overlay of the report's experiments (experiments/*.yaml) for one purpose: {@code smoke} (CI),
 * {@code default} (the embedded SynthVox corpus, models scaled down with the original capacity ratios),
 * {@code paper} (original sizes on user-provided VoxCeleb lists). Every arm of a profile trains on the
 * same data. The arms are the keys of the profile's {@code experiments} mapping, in order (the report's seven
 * when it is empty); an arm named like an experiment file uses it, or names its base file with
 * {@code from: FILE} (e.g. a sweep of one experiment). Resolution:
 * experiments/FILE.yaml ⊕ profile.all ⊕ profile.models[name] ⊕ profile.experiments[arm], with experiment = arm.
 */
public final class Profile {
    /** Teacher first: every student reads its checkpoint. */
    public static final List<String> EXPERIMENTS = List.of("teacher", "v1-mse", "v2-cosine", "v2-large", "v2-large-lowalpha", "v2-nokd", "v2-large-nokd");

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public final String name;
    final ObjectNode tree;
    final Path experimentsDir;

    private Profile(String name, ObjectNode tree, Path experimentsDir) {
        this.name = name;
        this.tree = tree;
        this.experimentsDir = experimentsDir;
    }

    public static Profile load(Path experimentsDir, String name) throws IOException {
        Path f = experimentsDir.resolve("profiles").resolve(name + ".yaml");
        if (!Files.isRegularFile(f)) {
            List<String> known = new java.util.ArrayList<>();
            try (var s = Files.list(experimentsDir.resolve("profiles"))) {
                s.map(x -> x.getFileName().toString()).filter(x -> x.endsWith(".yaml")).sorted().forEach(x -> known.add(x.replaceFirst("\\.yaml$", "")));
            } catch (IOException e) {
                // no profiles directory: nothing to list
            }
            throw new IOException("no profile " + name + " (" + f + "); profiles: " + String.join(", ", known));
        }
        JsonNode t = YAML.readTree(f.toFile());
        if (!(t instanceof ObjectNode o)) throw new IOException(f + ": a profile is a mapping");
        return new Profile(name, o, experimentsDir);
    }

    /** The training seeds every arm runs with ({@code seeds: [..]}; one seed, 1, when the profile lists none). */
    public List<Long> seeds() throws IOException {
        JsonNode s = tree.get("seeds");
        if (s == null) return List.of(1L);
        if (!s.isArray() || s.isEmpty()) throw new IOException("profile " + name + ": seeds must be a non-empty list of integers, e.g. seeds: [1, 2, 3]");
        List<Long> out = new java.util.ArrayList<>();
        for (JsonNode v : s) {
            if (!v.canConvertToExactIntegral() || !v.isIntegralNumber()) throw new IOException("profile " + name + ": seed " + v + " is not an integer");
            if (out.contains(v.asLong())) throw new IOException("profile " + name + ": seed " + v + " is listed twice");
            out.add(v.asLong());
        }
        return List.copyOf(out);
    }

    /**
     * How the report compares arms, declared before the runs: the equivalence margin of the EER in percentage
     * points ({@code analysis: {equivalence_margin_eer: 0.5}}; 0 = no equivalence claims) and the bootstrap's
     * resamples.
     */
    public ObjectNode analysis() throws IOException {
        ObjectNode a = YAML.createObjectNode();
        a.put("equivalence_margin_eer", 0.0);
        a.put("resamples", 1000);
        JsonNode given = tree.get("analysis");
        if (given != null) {
            if (!given.isObject()) throw new IOException("profile " + name + ": analysis must be a mapping");
            for (var it = given.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!a.has(e.getKey())) throw new IOException("profile " + name + ": unknown analysis key " + e.getKey() + " (known: equivalence_margin_eer, resamples)");
                if (!e.getValue().isNumber() || e.getValue().asDouble() < 0) throw new IOException("profile " + name + ": analysis." + e.getKey() + " must be a non-negative number");
                a.set(e.getKey(), e.getValue());
            }
        }
        if (a.get("resamples").asInt() < 100) throw new IOException("profile " + name + ": analysis.resamples must be at least 100");
        return a;
    }

    /** The synthetic corpus this profile uses ({synthvox: profile, seed}), or null when it reads user data. */
    public JsonNode corpus() { return tree.get("corpus"); }

    /** The data section for user-provided lists (paths relative to --data). */
    public JsonNode data() { return tree.get("data"); }

    /** The arms this profile runs, in the order given (a run an arm refers to must be listed). */
    public List<String> arms() {
        JsonNode e = tree.path("experiments");
        if (!e.isObject() || e.isEmpty()) return EXPERIMENTS;
        List<String> out = new java.util.ArrayList<>();
        e.fieldNames().forEachRemaining(out::add);
        return List.copyOf(out);
    }

    /** The arm's configuration tree with the profile's overlays, before data paths and run references are filled in. */
    public ObjectNode experiment(String experiment) throws IOException {
        JsonNode over = tree.path("experiments").path(experiment);
        String file = over.path("from").asText(experiment);
        Path f = experimentsDir.resolve(file + ".yaml");
        if (!Files.isRegularFile(f))
            throw new IOException("profile " + name + ": arm " + experiment + " needs " + f + (over.has("from") ? " (its 'from')" : " (or a 'from: FILE' naming its base)"));
        ObjectNode base = (ObjectNode) YAML.readTree(f.toFile());
        merge(base, tree.path("all"));
        base.put("experiment", experiment);
        if (over.isObject()) {
            ObjectNode o = ((ObjectNode) over).deepCopy();
            o.remove("from");
            if (o.has("model") && o.get("model").isTextual()) {
                String size = o.remove("model").asText();
                JsonNode m = tree.path("models").path(size);
                if (!m.isObject()) throw new IOException("profile " + name + ": experiment " + experiment + " names unknown model size " + size);
                merge(base, YAML.createObjectNode().set("model", m));
            }
            merge(base, o);
        }
        return base;
    }

    /** Deep merge: objects merge key by key, anything else replaces. */
    static void merge(ObjectNode into, JsonNode from) {
        if (from == null || !from.isObject()) return;
        Iterator<Map.Entry<String, JsonNode>> it = from.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode cur = into.get(e.getKey());
            if (cur instanceof ObjectNode c && e.getValue().isObject()) merge(c, e.getValue());
            else into.set(e.getKey(), e.getValue().deepCopy());
        }
    }
}
