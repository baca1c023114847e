package org.voxkd.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** A reference fixture written by tools/gen_model_fixtures.py (PyTorch, float64, rounded to float32). */
final class ModelFixture {
    final JsonNode doc;
    final Map<String, NamedTensors.Tensor> tensors = new LinkedHashMap<>();

    ModelFixture(String resource) {
        this("models", resource);
    }

    /** A fixture under src/test/resources/fixtures/{@code dir}/. */
    ModelFixture(String dir, String resource) {
        try (InputStream in = ModelFixture.class.getResourceAsStream("/fixtures/" + dir + "/" + resource)) {
            if (in == null) throw new IllegalStateException("fixture " + resource + " is missing");
            doc = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        doc.get("tensors").fields().forEachRemaining(e -> {
            JsonNode shape = e.getValue().get("shape"), data = e.getValue().get("data");
            int[] s = new int[shape.size()];
            for (int i = 0; i < s.length; i++) s[i] = shape.get(i).asInt();
            float[] d = new float[data.size()];
            for (int i = 0; i < d.length; i++) d[i] = (float) data.get(i).asDouble();
            tensors.put(e.getKey(), new NamedTensors.Tensor(s, d));
        });
    }

    int config(String key) { return doc.get("config").get(key).asInt(); }

    int get(String key) { return doc.get(key).asInt(); }

    double number(String key) { return doc.get(key).asDouble(); }

    float[] tensor(String name) {
        NamedTensors.Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("fixture has no tensor " + name);
        return t.data();
    }

    /** The tensors named PREFIX.NAME, by NAME (one model of a fixture with several). */
    Map<String, NamedTensors.Tensor> withPrefix(String prefix) {
        Map<String, NamedTensors.Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v);
        });
        return out;
    }

    /** The model's own tensors (parameters and running statistics), as a checkpoint would hold them. */
    Map<String, NamedTensors.Tensor> stateDict() {
        Map<String, NamedTensors.Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.contains(".") && !k.startsWith("grad.") && !k.startsWith("after.")) out.put(k, v);
        });
        return out;
    }
}
