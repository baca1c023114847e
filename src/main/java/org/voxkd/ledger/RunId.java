package org.voxkd.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.voxkd.data.DatasetHash;

/**
 * A run's identity: the SHA-256 of its resolved configuration (paths made relative to the project, so the
 * same run on another machine has the same id), seed, code fingerprint ({@link CodeFingerprint}: the sources
 * that compute, whatever git says about them), data hash and backend. Same inputs, same id; any change, a new
 * id. The commit is kept in the record for provenance only.
 */
public final class RunId {
    private RunId() {}

    /** The configuration with every absolute path under {@code root} written relative to it. */
    public static ObjectNode portable(JsonNode config, Path root) {
        ObjectNode copy = config.deepCopy();
        relativise(copy, root.toAbsolutePath().normalize().toString());
        return copy;
    }

    private static void relativise(ObjectNode node, String root) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue() instanceof ObjectNode o) relativise(o, root);
            else if (e.getValue().isTextual()) {
                String s = e.getValue().asText();
                if (s.equals(root)) e.setValue(TextNode.valueOf("."));
                else if (s.startsWith(root + "/")) e.setValue(TextNode.valueOf(s.substring(root.length() + 1)));
            }
        }
    }

    public static String of(ObjectNode portableConfig, long seed, String codeFingerprint, String dataHash, String backend) throws IOException {
        ObjectNode key = Ledger.JSON.createObjectNode();
        key.set("config", portableConfig);
        key.put("seed", seed);
        key.put("code", codeFingerprint);
        key.put("data_hash", dataHash);
        key.put("backend", backend);
        String canonical = Ledger.JSON.writeValueAsString(Ledger.JSON.treeToValue(key, Object.class));
        return DatasetHash.sha256(canonical.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }
}
