package org.voxkd.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of distillation terms a configuration may add under {@code distill.terms} (each one key), beside the
 * classification loss and the final-embedding distillation of {@code loss.distillation}. Adding a method: its kernels in
 * a kernel family (and the .cl twin), a {@link Spec} record with its {@link Term}, one line here, and its tests (an
 * OpCase; an arm named here in experiments/profiles/methods-smoke.yaml). The smoke test's arms and the report's methods
 * note are read from this registry.
 */
public final class Terms {
    private Terms() {}

    /** A term's configuration: checked and defaulted by {@link #resolved}, then built. */
    public interface Spec {
        /** The term's (constant) weight in the total loss. */
        Float weight();

        /** The spec with every default filled; problems go to {@code errors}, prefixed with {@code at}. */
        Spec resolved(String at, Defaults defaults, List<String> errors);

        /** The term of a resolved spec. */
        Term build(String key);
    }

    /** Values of the rest of the configuration that terms default to. */
    public record Defaults(float scale, float tau) {}

    /**
     * A registered method: its key under {@code distill.terms}, its spec, the arm of profile methods-smoke that runs it,
     * and what the report's methods note says of it.
     */
    public record Method(String key, Class<? extends Spec> spec, String smokeArm, String description) {}

    /** Every term a configuration may name, in the report's order. */
    static final List<Method> REGISTRY = List.of(
            new Method("stages", StagesTerm.Spec.class, "multistage",
                    "multi-stage ('stages', student blocks matched through learned linear adapters to teacher layers)"),
            new Method("relational", RelationalTerm.Spec.class, "relational", "relational (Park et al.'s distance-wise RKD on the embeddings)"),
            new Method("label", LabelTerm.Spec.class, "label", "label (Hinton's τ²·KL of the classifier posteriors, the teacher's own head)"));

    public static List<Method> methods() { return REGISTRY; }

    /** The keys of the registered terms. */
    public static List<String> known() { return REGISTRY.stream().map(Method::key).toList(); }

    /** Parses and resolves {@code terms} (key → YAML tree); returns the resolved trees (every default written out). */
    public static Map<String, JsonNode> resolve(Map<String, JsonNode> terms, ObjectMapper mapper, Defaults defaults, List<String> errors) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (terms == null) return out;
        terms.forEach((key, node) -> {
            Spec s = parse(key, node, mapper, defaults, errors);
            if (s != null) out.put(key, mapper.valueToTree(s));
        });
        return out;
    }

    /** Sum of the weights of resolved terms. */
    public static double weight(Map<String, JsonNode> resolved) {
        double w = 0;
        for (JsonNode n : resolved.values()) w += n.path("weight").asDouble(0);
        return w;
    }

    /** The terms of resolved trees, in order. */
    public static List<Term> build(Map<String, JsonNode> resolved, ObjectMapper mapper, Defaults defaults) {
        List<Term> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        resolved.forEach((key, node) -> {
            Spec s = parse(key, node, mapper, defaults, errors);
            if (s != null) out.add(s.build(key));
        });
        if (!errors.isEmpty()) throw new IllegalArgumentException(String.join("; ", errors));
        return out;
    }

    private static Spec parse(String key, JsonNode node, ObjectMapper mapper, Defaults defaults, List<String> errors) {
        String at = "distill.terms." + key;
        Class<? extends Spec> c = REGISTRY.stream().filter(m -> m.key().equals(key)).map(Method::spec).findFirst().orElse(null);
        if (c == null) {
            errors.add("distill.terms: unknown term '" + key + "'; known: " + String.join(", ", known()));
            return null;
        }
        if (!(node instanceof ObjectNode)) {
            errors.add(at + " must be a mapping (e.g. {weight: 0.3})");
            return null;
        }
        Spec s;
        try {
            s = mapper.treeToValue(node, c);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            errors.add(at + ": " + e.getOriginalMessage());
            return null;
        }
        if (s.weight() == null || !(s.weight() > 0 && s.weight() <= 1)) errors.add(at + ".weight must be in (0, 1], got " + s.weight());
        return s.resolved(at, defaults, errors);
    }
}
