package org.voxkd.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.voxkd.io.AtomicFiles;
import org.voxkd.io.FileLocks;

/**
 * results/ledger.jsonl: one JSON record per finished run, append-only. An append takes an exclusive lock on
 * ledger.lock ({@link FileLocks}: across processes, and across hosts on a shared file system with POSIX locks),
 * re-reads the ledger under it, and appends nothing when a record of the same run (same id and run folder) is
 * already there; otherwise it rewrites the file atomically with the new line at the end (temporary file forced to
 * disk, renamed, directory synced): a reader never sees a half-written record, and earlier records are never changed.
 * The only way an id appears twice is a deliberate {@code reproduce --force} re-run, which trains into a new folder.
 */
public final class Ledger {
    /** Records are written with sorted keys, so the same record is the same bytes. */
    public static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final Path file;

    public Ledger(Path resultsDir) {
        this.file = resultsDir.resolve("ledger.jsonl");
    }

    public Path file() { return file; }

    public Path resultsDir() { return file.getParent(); }

    /** Every record, oldest first; a malformed line is an error naming its line. */
    public List<ObjectNode> records() throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                JsonNode n = JSON.readTree(lines.get(i));
                if (!(n instanceof ObjectNode o) || !o.has("id")) throw new IOException("not a run record (no id)");
                out.add(o);
            } catch (IOException e) {
                throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The latest complete record with this id (or id prefix, at least 6 characters). */
    public Optional<ObjectNode> find(String id) throws IOException {
        if (id.length() < 6) throw new IllegalArgumentException("a run id prefix needs at least 6 characters: " + id);
        ObjectNode found = null;
        for (ObjectNode r : records()) {
            if (r.get("id").asText().startsWith(id)) {
                if (found != null && !found.get("id").asText().equals(r.get("id").asText()))
                    throw new IllegalArgumentException("run id prefix " + id + " is ambiguous");
                found = r;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Appends one record under the lock, unless the ledger already holds a record with the same id and run folder
     * ({@code dir}); returns whether it appended.
     */
    public boolean append(ObjectNode record) throws IOException {
        Files.createDirectories(file.getParent());
        String line = JSON.writeValueAsString(JSON.treeToValue(record, Object.class)) + "\n";
        if (line.indexOf('\n') != line.length() - 1) throw new IllegalStateException("a ledger record must be one line");
        String id = record.get("id").asText(), dir = record.path("dir").asText();
        return FileLocks.locked(file.resolveSibling("ledger.lock"), () -> {
            for (ObjectNode r : records())
                if (r.get("id").asText().equals(id) && r.path("dir").asText().equals(dir)) return false;
            byte[] old = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
            AtomicFiles.write(file, out -> {
                out.write(old);
                out.write(line.getBytes(StandardCharsets.UTF_8));
            });
            AtomicFiles.syncDirectory(file.getParent());
            return true;
        });
    }

    /** The complete record of one run: this id in this run folder, if the ledger holds it. */
    public Optional<ObjectNode> record(String id, String dir) throws IOException {
        for (ObjectNode r : records())
            if (r.get("id").asText().equals(id) && r.path("dir").asText().equals(dir) && "complete".equals(r.path("status").asText())) return Optional.of(r);
        return Optional.empty();
    }
}
