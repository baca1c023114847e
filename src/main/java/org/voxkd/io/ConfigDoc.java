package org.voxkd.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A configuration tree (YAML mapping) that remembers where each key was written: {@code file:line} per JSON
 * pointer ({@code /optim/batch}). Reading is strict — a duplicate key (reported with both lines), a root that is not a mapping, an
 * alias or a tag Jackson cannot map are errors naming the file and line — and trees overlaid from other files
 * (profiles over experiments) keep the location of every value they bring, so an error found after merging is
 * reported where the offending value was written.
 */
public final class ConfigDoc {
    /** A configuration file larger than this is not a configuration. */
    static final long MAX_BYTES = 1 << 20;

    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectNode tree;
    private final TreeMap<String, String> where;
    private final String origin;

    private ConfigDoc(ObjectNode tree, TreeMap<String, String> where, String origin) {
        this.tree = tree;
        this.where = where;
        this.origin = origin;
    }

    /** A tree without line information (a JSON record, a program-built tree); {@code origin} names it in errors. */
    public static ConfigDoc of(ObjectNode tree, String origin) {
        return new ConfigDoc(tree, new TreeMap<>(), origin);
    }

    /** Reads a YAML file whose root is a mapping. */
    public static ConfigDoc read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such configuration file");
        long size = Files.size(file);
        if (size > MAX_BYTES) throw new IOException(file + ": " + size + " bytes is too large for a configuration file (at most " + MAX_BYTES + ")");
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** Parses YAML text; {@code name} stands for the file in errors. */
    public static ConfigDoc parse(String text, String name) throws IOException {
        return parse(text.getBytes(StandardCharsets.UTF_8), name);
    }

    private static ConfigDoc parse(byte[] bytes, String name) throws IOException {
        TreeMap<String, String> where = new TreeMap<>();
        try (JsonParser p = FACTORY.createParser(bytes)) {
            JsonToken first = p.nextToken();
            if (first == null) throw new IOException(name + ": empty configuration (a YAML mapping of key: value lines is expected)");
            if (first != JsonToken.START_OBJECT)
                throw new IOException(name + ":" + line(p.currentTokenLocation()) + ": a configuration is a YAML mapping (key: value lines), found " + describe(first));
            ObjectNode root = (ObjectNode) value(p, "", name, where);
            if (p.nextToken() != null) throw new IOException(name + ":" + line(p.currentTokenLocation()) + ": more than one YAML document");
            return new ConfigDoc(root, where, name);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String msg = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage().strip();
            // the YAML scanner's own error knows the line of the problem and its cause ("found character '\t'…");
            // Jackson's location is that of the last token read, often the line before
            for (Throwable c = e; c != null; c = c.getCause())
                if (c instanceof org.yaml.snakeyaml.error.MarkedYAMLException y && y.getProblemMark() != null) {
                    String problem = y.getProblem() == null ? firstLine(msg) : y.getProblem().strip();
                    if (problem.contains("\\t(TAB)") || problem.contains("'\t'")) problem = "a tab character, which YAML does not allow for indentation (use spaces)";
                    String ctx = y.getContext() == null ? "" : " (" + y.getContext().strip() + ")";
                    throw new IOException(name + ":" + (y.getProblemMark().getLine() + 1) + ": " + problem + ctx, e);
                }
            throw new IOException(name + (at != null && at.getLineNr() > 0 ? ":" + at.getLineNr() : "") + ": " + firstLine(msg), e);
        } catch (RuntimeException e) {
            // the YAML library signals some malformed input with its own unchecked exceptions
            throw new IOException(name + ": not valid YAML (" + firstLine(String.valueOf(e.getMessage())) + ")", e);
        }
    }

    private static JsonNode value(JsonParser p, String ptr, String name, Map<String, String> where) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    String child = child(ptr, key);
                    String at = name + ":" + line(p.currentTokenLocation());
                    if (o.has(key)) throw new IOException(at + ": duplicate key " + dotted(child) + " (first given at " + where.get(child) + ")");
                    where.put(child, at);
                    p.nextToken();
                    o.set(key, value(p, child, name, where));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
                    String child = ptr + "/" + i;
                    where.put(child, name + ":" + line(p.currentTokenLocation()));
                    a.add(value(p, child, name, where));
                }
                return a;
            }
            case VALUE_STRING -> { return NODES.textNode(p.getText()); }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                try {
                    if (t == JsonToken.VALUE_NUMBER_FLOAT) return NODES.numberNode(p.getDoubleValue());
                    return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? NODES.numberNode(p.getBigIntegerValue())
                            : p.getNumberType() == JsonParser.NumberType.LONG ? NODES.numberNode(p.getLongValue()) : NODES.numberNode(p.getIntValue());
                } catch (JsonProcessingException e) {
                    throw new IOException(name + ":" + line(p.currentTokenLocation()) + ": " + dotted(ptr) + ": '" + p.getText() + "' is not a number voxkd reads", e);
                }
            }
            case VALUE_TRUE, VALUE_FALSE -> { return NODES.booleanNode(t == JsonToken.VALUE_TRUE); }
            case VALUE_NULL -> { return NODES.nullNode(); }
            default -> throw new IOException(name + ":" + line(p.currentTokenLocation()) + ": unsupported YAML value (" + describe(t) + ")");
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "nothing";
            default -> t.toString();
        };
    }

    private static int line(JsonLocation l) {
        return l == null ? 0 : l.getLineNr();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public ObjectNode tree() { return tree; }

    /** The file (or description) this document was read from. */
    public String origin() { return origin; }

    /** Whether the key at {@code pointer} was written in a file (rather than filled in by a program). */
    public boolean located(String pointer) { return where.containsKey(pointer); }

    /** "file:line" of the key at {@code pointer}, else of its nearest written parent, else the document's origin. */
    public String where(String pointer) {
        for (String p = pointer; ; p = parent(p)) {
            String w = where.get(p);
            if (w != null) return w;
            if (p.isEmpty()) return origin;
        }
    }

    /** A deep copy (tree and locations). */
    public ConfigDoc copy() {
        return new ConfigDoc(tree.deepCopy(), new TreeMap<>(where), origin);
    }

    /**
     * Deep-merges the value at {@code srcPointer} of {@code src} into this tree at {@code dstPointer}: mappings merge
     * key by key, anything else replaces what was there; every value brought keeps its location in {@code src}.
     * A missing source value changes nothing; an explicit null removes the key (an override's way back to the default).
     */
    public void merge(String dstPointer, ConfigDoc src, String srcPointer) {
        JsonNode from = src.tree.at(srcPointer);
        if (from.isMissingNode()) return;
        JsonNode cur = tree.at(dstPointer);
        if (from.isNull() && !dstPointer.isEmpty()) {
            if (tree.at(parent(dstPointer)) instanceof ObjectNode p) p.remove(unescape(dstPointer.substring(dstPointer.lastIndexOf('/') + 1)));
            where.remove(dstPointer);
            where.subMap(dstPointer + "/", dstPointer + "0").clear();
            return;
        }
        if (cur instanceof ObjectNode && from instanceof ObjectNode f) {
            for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                merge(child(dstPointer, k), src, child(srcPointer, k));
            }
            return;
        }
        set(dstPointer, from.deepCopy(), null);
        where.remove(dstPointer);
        if (src.where.containsKey(srcPointer)) where.put(dstPointer, src.where.get(srcPointer));
        String prefix = srcPointer + "/";
        for (Map.Entry<String, String> e : src.where.tailMap(prefix).entrySet()) {
            if (!e.getKey().startsWith(prefix)) break;
            where.put(dstPointer + e.getKey().substring(srcPointer.length()), e.getValue());
        }
    }

    /**
     * Sets (replaces) the value at {@code pointer}, whose parent must be a mapping, and forgets the locations
     * beneath it; {@code at} describes where the new value comes from (null: keep the key's location).
     */
    public void set(String pointer, JsonNode value, String at) {
        if (pointer.isEmpty()) throw new IllegalArgumentException("cannot replace the root");
        String parent = parent(pointer);
        JsonNode p = parent.isEmpty() ? tree : tree.at(parent);
        if (!(p instanceof ObjectNode o)) throw new IllegalArgumentException(where(parent) + ": " + dotted(parent) + " is not a mapping");
        o.set(unescape(pointer.substring(parent.length() + 1)), value);
        forgetBelow(pointer);
        if (at != null) where.put(pointer, at);
    }

    /** Removes the key at {@code pointer} (if present) and its locations. */
    public void remove(String pointer) {
        String parent = parent(pointer);
        JsonNode p = parent.isEmpty() ? tree : tree.at(parent);
        if (p instanceof ObjectNode o) o.remove(unescape(pointer.substring(parent.length() + 1)));
        forgetBelow(pointer);
        where.remove(pointer);
    }

    private void forgetBelow(String pointer) {
        String prefix = pointer + "/";
        where.tailMap(prefix).keySet().removeIf(k -> k.startsWith(prefix));
    }

    /** The pointer of key {@code key} under {@code pointer}. */
    public static String child(String pointer, String key) {
        return pointer + "/" + key.replace("~", "~0").replace("/", "~1");
    }

    /** The pointer of a path of keys and list indices, e.g. (optim, batch) → /optim/batch. */
    public static String pointer(List<?> path) {
        StringBuilder s = new StringBuilder();
        for (Object k : path) s.append(k instanceof Integer ? "/" + k : child("", k.toString()));
        return s.toString();
    }

    private static String parent(String pointer) {
        int i = pointer.lastIndexOf('/');
        return i <= 0 ? "" : pointer.substring(0, i);
    }

    private static String unescape(String key) {
        return key.replace("~1", "/").replace("~0", "~");
    }

    /** A pointer as the dotted key users write: /optim/batch → optim.batch, /seeds/2 → seeds[2]. */
    public static String dotted(String pointer) {
        if (pointer.isEmpty()) return "(the whole file)";
        List<String> parts = new ArrayList<>();
        for (String k : pointer.substring(1).split("/", -1)) parts.add(unescape(k));
        StringBuilder s = new StringBuilder();
        for (String k : parts) {
            if (!k.isEmpty() && k.chars().allMatch(Character::isDigit) && s.length() > 0) s.append('[').append(k).append(']');
            else s.append(s.length() == 0 ? "" : ".").append(k);
        }
        return s.toString();
    }
}
