package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.voxkd.io.ConfigDoc;
import org.voxkd.ledger.Ledger;

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
    public static final List<String> EXPERIMENTS = List.of("teacher", "v1-mse", "v1-mse-rescaled", "v2-cosine", "v2-large", "v2-large-lowalpha", "v2-nokd",
            "v2-large-nokd");

    /** The keys a profile may have, and those of its corpus and data sections. */
    static final List<String> KEYS = List.of("profile", "corpus", "seeds", "analysis", "deploy", "data", "all", "models", "experiments"),
            CORPUS_KEYS = List.of("synthvox", "seed"),
            DATA_KEYS = List.of("train_list", "train_root", "val_trials", "test_trials", "trial_root", "musan", "rirs", "workers");

    public final String name;
    final ConfigDoc doc;
    final ObjectNode tree;
    final Path experimentsDir;

    private Profile(String name, ConfigDoc doc, Path experimentsDir) {
        this.name = name;
        this.doc = doc;
        this.tree = doc.tree();
        this.experimentsDir = experimentsDir;
    }

    /**
     * Reads and checks a profile: unknown keys, sections of the wrong shape, arms without a base experiment file and
     * model sizes that are not defined are errors naming the profile file and line.
     */
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
        Profile p = new Profile(name, ConfigDoc.read(f), experimentsDir);
        p.check();
        return p;
    }

    private IOException error(String ptr, String message) {
        return new IOException(doc.where(ptr) + ": " + message);
    }

    private void onlyKeys(String ptr, List<String> known) throws IOException {
        JsonNode n = tree.at(ptr);
        if (n.isMissingNode() || n.isNull()) return;
        if (!n.isObject()) throw error(ptr, ConfigDoc.dotted(ptr) + " must be a mapping (key: value)");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) throw error(ConfigDoc.child(ptr, k), "unknown key " + ConfigDoc.dotted(ConfigDoc.child(ptr, k)) + " (known: " + String.join(", ", known) + ")");
        }
    }

    private void check() throws IOException {
        onlyKeys("", KEYS);
        onlyKeys("/corpus", CORPUS_KEYS);
        onlyKeys("/data", DATA_KEYS);
        if (tree.has("corpus") == tree.has("data"))
            throw error("", "a profile names either a corpus (corpus: {synthvox: smoke|default, seed: N}) or your data (data: {train_list: ...}), "
                    + (tree.has("corpus") ? "not both" : "found neither"));
        if (tree.has("corpus")) {
            String kind = tree.at("/corpus/synthvox").asText("");
            if (!kind.equals("smoke") && !kind.equals("default")) throw error("/corpus/synthvox", "corpus.synthvox must be smoke or default, got '" + kind + "'");
            JsonNode seed = tree.at("/corpus/seed");
            if (!seed.isMissingNode() && !seed.isIntegralNumber()) throw error("/corpus/seed", "corpus.seed must be an integer, got " + seed);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.path("data").fields(); it.hasNext(); ) {
            var e = it.next();
            String ptr = ConfigDoc.child("/data", e.getKey());
            if (e.getKey().equals("workers") ? !e.getValue().isIntegralNumber() || e.getValue().asInt() < 0 : !e.getValue().isTextual())
                throw error(ptr, ConfigDoc.dotted(ptr) + (e.getKey().equals("workers") ? " must be a non-negative integer" : " must be a path"));
        }
        for (String section : new String[] {"all", "models", "experiments"}) {
            JsonNode n = tree.get(section);
            if (n != null && !n.isNull() && !n.isObject()) throw error("/" + section, section + " must be a mapping");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.path("models").fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isObject()) throw error(ConfigDoc.child("/models", e.getKey()), "models." + e.getKey() + " must be a mapping of model sizes");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.path("experiments").fields(); it.hasNext(); ) {
            var e = it.next();
            String arm = e.getKey(), ptr = ConfigDoc.child("/experiments", arm);
            JsonNode over = e.getValue();
            if (!over.isNull() && !over.isObject()) throw error(ptr, "arm " + arm + ": its overrides must be a mapping (or nothing)");
            JsonNode from = over.path("from");
            if (!from.isMissingNode() && !from.isTextual()) throw error(ConfigDoc.child(ptr, "from"), "arm " + arm + ": from must name an experiment file");
            Path base = experimentsDir.resolve(from.asText(arm) + ".yaml");
            if (!Files.isRegularFile(base))
                throw error(from.isMissingNode() ? ptr : ConfigDoc.child(ptr, "from"), "arm " + arm + " needs " + base
                        + (from.isMissingNode() ? " (no experiment of that name: a misspelling? or name its base with 'from: FILE')" : " (its 'from')"));
            JsonNode size = over.path("model");
            if (size.isTextual() && !tree.path("models").path(size.asText()).isObject())
                throw error(ConfigDoc.child(ptr, "model"), "arm " + arm + " names model size '" + size.asText() + "', which models does not define"
                        + " (defined: " + String.join(", ", fieldNames(tree.path("models"))) + ")");
        }
        seeds();
        analysis();
        deploy();
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The training seeds every arm runs with ({@code seeds: [..]}; one seed, 1, when the profile lists none). */
    public List<Long> seeds() throws IOException {
        JsonNode s = tree.get("seeds");
        if (s == null) return List.of(1L);
        if (!s.isArray() || s.isEmpty()) throw error("/seeds", "seeds must be a non-empty list of integers, e.g. seeds: [1, 2, 3]");
        List<Long> out = new java.util.ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            JsonNode v = s.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) throw error("/seeds/" + i, "seed " + v + " is not an integer");
            if (out.contains(v.asLong())) throw error("/seeds/" + i, "seed " + v + " is listed twice");
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
        ObjectNode a = Ledger.JSON.createObjectNode();
        a.put("equivalence_margin_eer", 0.0);
        a.put("resamples", 1000);
        JsonNode given = tree.get("analysis");
        if (given != null) {
            if (!given.isObject()) throw error("/analysis", "analysis must be a mapping");
            for (var it = given.fields(); it.hasNext(); ) {
                var e = it.next();
                String ptr = ConfigDoc.child("/analysis", e.getKey());
                if (!a.has(e.getKey())) throw error(ptr, "unknown analysis key " + e.getKey() + " (known: equivalence_margin_eer, resamples)");
                if (!e.getValue().isNumber() || !Double.isFinite(e.getValue().asDouble()) || e.getValue().asDouble() < 0)
                    throw error(ptr, "analysis." + e.getKey() + " must be a non-negative number");
                if (e.getKey().equals("resamples") && !e.getValue().isIntegralNumber()) throw error(ptr, "analysis.resamples must be an integer");
                a.set(e.getKey(), e.getValue());
            }
        }
        if (a.get("resamples").asInt() < 100) throw error("/analysis/resamples", "analysis.resamples must be at least 100");
        return a;
    }

    /**
     * The deployment study to run after training, or null: {@code deploy: {arms: [..], paper_models: false, calibration: 256,
     * warmup: 2, reps: 5}} (the arms' selected checkpoints of every seed; paper_models adds the paper-sized students on
     * random weights, for size and speed).
     */
    public JsonNode deploy() throws IOException {
        JsonNode d = tree.get("deploy");
        if (d == null) return null;
        if (!d.isObject()) throw error("/deploy", "deploy must be a mapping");
        for (var it = d.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("arms", "paper_models", "calibration", "warmup", "reps").contains(k))
                throw error("/deploy/" + k, "unknown key deploy." + k + " (known: arms, paper_models, calibration, warmup, reps)");
        }
        if (!d.path("arms").isArray() || d.path("arms").isEmpty()) throw error("/deploy", "deploy.arms must be a non-empty list of arms");
        for (int i = 0; i < d.get("arms").size(); i++)
            if (!arms().contains(d.get("arms").get(i).asText()))
                throw error("/deploy/arms/" + i, "deploy names arm " + d.get("arms").get(i) + ", which the profile does not run");
        if (d.has("paper_models") && !d.get("paper_models").isBoolean()) throw error("/deploy/paper_models", "deploy.paper_models must be true or false");
        for (String k : List.of("calibration", "warmup", "reps"))
            if (d.has(k) && (!d.get(k).isIntegralNumber() || d.get(k).asInt() < (k.equals("warmup") ? 0 : 1)))
                throw error("/deploy/" + k, "deploy." + k + " must be an integer of at least " + (k.equals("warmup") ? 0 : 1));
        return d;
    }

    /** The synthetic corpus this profile uses ({synthvox: profile, seed}), or null when it reads user data. */
    public JsonNode corpus() { return tree.get("corpus"); }

    /** The data section for user-provided lists (paths relative to --data). */
    public JsonNode data() { return tree.get("data"); }

    /** "file:line" of a key of the profile (its JSON pointer), for errors about values the profile gave. */
    public String where(String pointer) { return doc.where(pointer); }

    /** The arms this profile runs, in the order given (a run an arm refers to must be listed). */
    public List<String> arms() {
        JsonNode e = tree.path("experiments");
        if (!e.isObject() || e.isEmpty()) return EXPERIMENTS;
        return List.copyOf(fieldNames(e));
    }

    /**
     * The arm's configuration with the profile's overlays, before data paths and run references are filled in;
     * every value keeps the file and line it was written at (the experiment file, or the profile).
     */
    public ConfigDoc experiment(String experiment) throws IOException {
        String armPtr = ConfigDoc.child("/experiments", experiment);
        JsonNode over = tree.at(armPtr);
        String file = over.path("from").asText(experiment);
        Path f = experimentsDir.resolve(file + ".yaml");
        if (!Files.isRegularFile(f))
            throw error(armPtr, "arm " + experiment + " needs " + f + (over.has("from") ? " (its 'from')" : " (or a 'from: FILE' naming its base)"));
        ConfigDoc base = ConfigDoc.read(f).copy();
        if (tree.path("all").isObject()) base.merge("", doc, "/all");
        base.set("/experiment", TextNode.valueOf(experiment), over.isMissingNode() ? null : doc.where(armPtr));
        if (over.isObject()) {
            for (Iterator<String> it = over.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (k.equals("from")) continue;
                String ptr = ConfigDoc.child(armPtr, k);
                if (k.equals("model") && over.get(k).isTextual()) {
                    String size = over.get(k).asText();
                    JsonNode m = tree.path("models").path(size);
                    if (!m.isObject()) throw error(ptr, "arm " + experiment + " names unknown model size " + size);
                    base.merge("/model", doc, ConfigDoc.child("/models", size));
                } else {
                    base.merge(ConfigDoc.child("", k), doc, ptr);
                }
            }
        }
        return base;
    }
}
