package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.io.AtomicFiles;
import org.voxkd.ledger.Ledger;
import org.voxkd.train.TrainConfig;

/**
 * One run of a reproduction, resolved: its id, the portable configuration (paths under the project root written
 * relative to it, every {@code {run: ARM}} already replaced by that run's checkpoint), the runs it needs, and
 * the provenance its ledger record carries (commit, code fingerprint, data hash). {@link Reproducer#plan()} makes
 * them; a run to train gets {@code runs/<dir>/plan.json} ({@value #FILE}), written once, and whoever trains it —
 * this JVM or a Slurm job running {@code voxkd train --run} — reads the run from that file alone ({@link RunJob}).
 */
public final class RunPlan {
    public static final String FILE = "plan.json";

    /** A run this one needs finished first (its checkpoint): its id and run folder. */
    public record Need(String id, String dir) {}

    public final String id, experiment, profile, dir, commit, fingerprint, dataHash;
    public final long seed;
    /** The portable resolved configuration (what the run id hashes). */
    public final ObjectNode config;
    /** Where each run reference was (its JSON path, "teacher" for the teacher) → the run id it names. */
    public final Map<String, String> dependsOn;
    public final List<Need> needs;
    /** "[3/14] v1-mse seed 1 (run 1a2b…)": how logs name it. Not stored. */
    public final String label;
    /** Its ledger record when the run was complete at planning (nothing to do), else null. Not stored. */
    public final ObjectNode complete;

    RunPlan(String id, String experiment, String profile, long seed, String dir, ObjectNode config, Map<String, String> dependsOn, List<Need> needs,
            String commit, String fingerprint, String dataHash, String label, ObjectNode complete) {
        this.id = id;
        this.experiment = experiment;
        this.profile = profile;
        this.seed = seed;
        this.dir = dir;
        this.config = config;
        this.dependsOn = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(dependsOn));
        this.needs = List.copyOf(needs);
        this.commit = commit;
        this.fingerprint = fingerprint;
        this.dataHash = dataHash;
        this.label = label;
        this.complete = complete;
    }

    /** The run's training configuration, its relative paths resolved against the project root it runs from. */
    public TrainConfig trainConfig(Path root) throws IOException {
        return TrainConfig.fromTree(config, root.toAbsolutePath().normalize().resolve(FILE));
    }

    public Path runDir(Path results) { return results.resolve(dir); }

    ObjectNode toJson() {
        ObjectNode o = Ledger.JSON.createObjectNode();
        o.put("id", id);
        o.put("experiment", experiment);
        o.put("profile", profile);
        o.put("seed", seed);
        o.put("dir", dir);
        o.set("config", config);
        ObjectNode deps = o.putObject("depends_on");
        dependsOn.forEach(deps::put);
        var n = o.putArray("needs");
        for (Need x : needs) n.addObject().put("id", x.id()).put("dir", x.dir());
        o.put("commit", commit);
        o.put("code_fingerprint", fingerprint);
        o.put("data_hash", dataHash);
        return o;
    }

    /** Writes {@code runs/<dir>/plan.json} unless it exists (a plan is written once; a later planner's is the same run). */
    void write(Path results) throws IOException {
        String text = Ledger.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Ledger.JSON.treeToValue(toJson(), Object.class)) + "\n";
        AtomicFiles.createExclusive(runDir(results).resolve(FILE), text.getBytes(StandardCharsets.UTF_8));
    }

    /** The plan in {@code runDir}; a missing or malformed file is an error naming it. */
    public static RunPlan read(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        JsonNode o;
        try {
            o = Ledger.JSON.readTree(Files.readString(f));
        } catch (NoSuchFileException e) {
            throw new IOException(f + " does not exist: this folder holds no planned run (voxkd reproduce plans runs; voxkd train --run trains one of them)");
        } catch (IOException e) {
            throw new IOException(f + ": not a run plan (" + e.getMessage() + ")", e);
        }
        for (String k : new String[] {"id", "experiment", "profile", "seed", "dir", "config", "depends_on", "needs", "commit", "code_fingerprint", "data_hash"})
            if (!o.has(k)) throw new IOException(f + ": not a run plan (no '" + k + "')");
        Map<String, String> deps = new LinkedHashMap<>();
        o.get("depends_on").fields().forEachRemaining(e -> deps.put(e.getKey(), e.getValue().asText()));
        List<Need> needs = new ArrayList<>();
        for (JsonNode x : o.get("needs")) needs.add(new Need(x.get("id").asText(), x.get("dir").asText()));
        String id = o.get("id").asText();
        return new RunPlan(id, o.get("experiment").asText(), o.get("profile").asText(), o.get("seed").asLong(), o.get("dir").asText(),
                (ObjectNode) o.get("config"), deps, needs, o.get("commit").asText(), o.get("code_fingerprint").asText(), o.get("data_hash").asText(),
                o.get("experiment").asText() + " seed " + o.get("seed").asLong() + " (run " + id + ")", null);
    }
}
