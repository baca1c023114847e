package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.data.SynthVox;
import org.voxkd.engine.Numerics;
import org.voxkd.io.AtomicFiles;
import org.voxkd.io.ConfigDoc;
import org.voxkd.ledger.CodeFingerprint;
import org.voxkd.ledger.GitInfo;
import org.voxkd.ledger.Ledger;
import org.voxkd.ledger.RunId;
import org.voxkd.train.RunInputs;
import org.voxkd.train.TrainConfig;

/**
 * `voxkd reproduce`: the corpus (generated if needed), then for each training seed of the profile the teacher
 * and every student against that seed's teacher checkpoint, each run skipped when the ledger already holds a
 * complete run with the same id; one ledger record per finished run. {@link #plan()} resolves every run (the one
 * place that knows configurations, ids and references); an {@link Executor} then trains the runs still missing
 * into {@code results/runs/<id>} — in this JVM or as Slurm jobs — each through {@link RunJob}. The profile's analysis
 * settings (seeds, equivalence margin) are written to {@code results/profiles/<profile>.json} for the report.
 */
public final class Reproducer {
    private final Path root, results;
    private final Profile profile;
    private final Executor executor;
    private final PrintStream log;
    private final String backend, device, numerics;
    private final boolean force;
    private final Path dataDir;
    private List<Long> seeds;
    private List<String> only;
    private List<RunPlan> planned = List.of();

    public Reproducer(Path root, Path results, Profile profile, Executor executor, String backend, String device, boolean force,
                      Path dataDir, PrintStream log) {
        this(root, results, profile, executor, backend, device, null, force, dataDir, log);
    }

    /** With a numerics override ({@code fast} or {@code portable}; null keeps each experiment's), like the backend's. */
    public Reproducer(Path root, Path results, Profile profile, Executor executor, String backend, String device, String numerics,
                      boolean force, Path dataDir, PrintStream log) {
        this.numerics = numerics;
        this.root = root.toAbsolutePath().normalize();
        this.results = results.toAbsolutePath().normalize();
        this.profile = profile;
        this.executor = executor;
        this.backend = backend;
        this.device = device;
        this.force = force;
        this.dataDir = dataDir;
        this.log = log;
    }

    private boolean deploy = true;

    /** Whether this process runs the profile's deployment study once every run is in (a second worker sharing the results leaves it to the first). */
    public Reproducer withDeploy(boolean deploy) {
        this.deploy = deploy;
        return this;
    }

    /** Overrides the profile's seeds ({@code voxkd reproduce --seeds 1,2,3}); null keeps them. */
    public Reproducer withSeeds(List<Long> seeds) {
        this.seeds = seeds;
        return this;
    }

    /** Restricts the reproduction to these arms and the arms they refer to ({@code voxkd reproduce --arms a,b}); null: all. */
    public Reproducer withArms(List<String> arms) {
        this.only = arms;
        return this;
    }

    /**
     * Plans the reproduction ({@link #plan()}), writes the plan of every run still to train, hands them to the
     * executor, runs the deployment study once every run is in the ledger, and returns the records of the planned runs
     * that are now in the ledger, in plan order.
     */
    public List<ObjectNode> run() throws IOException {
        long t0 = System.nanoTime();
        List<RunPlan> plan = plan();
        planned = plan;
        // The runs' numerics mode for the whole process when they share one (the deployment study's own embeddings
        // included): one mode per JVM, so the cpu backend's kernels see one kind of memory (mixing the modes' heap and
        // native buffers in one JVM costs the JIT several times the time of either).
        java.util.Set<Numerics> modes = new java.util.HashSet<>();
        for (RunPlan p : plan) modes.add(p.trainConfig(root).numericsMode());
        Numerics was = modes.size() == 1 ? Numerics.activate(modes.iterator().next()) : null;
        try {
            return runPlanned(plan, t0);
        } finally {
            if (was != null) Numerics.activate(was);
        }
    }

    private List<ObjectNode> runPlanned(List<RunPlan> plan, long t0) throws IOException {
        writeAnalysis(plan.stream().map(p -> p.seed).distinct().toList());
        for (RunPlan p : plan) if (p.complete == null) p.write(results);
        executor.execute(plan, root, results);
        List<ObjectNode> done = records(plan);
        if (deploy && done.size() == plan.size()) {
            Baselines.run(done, root, results, log);
            Deployment.run(profile, done, root, results, log);
        }
        log.printf("reproduction of profile %s: this process finished in %.1f min%n", profile.name, (System.nanoTime() - t0) / 60e9);
        return done;
    }

    /** The runs the last {@link #run()} planned. */
    public List<RunPlan> planned() { return planned; }

    /** The ledger records of the planned runs that have one, in plan order. */
    public List<ObjectNode> records(List<RunPlan> plan) throws IOException {
        Ledger ledger = new Ledger(results);
        List<ObjectNode> out = new ArrayList<>();
        for (RunPlan p : plan) ledger.record(p.id, p.dir).ifPresent(out::add);
        return out;
    }

    /**
     * Every run of the reproduction, for every training seed, with every arm after the arms it refers to: the
     * resolved configuration (the profile's arm, the data, the seed, and each {@code {run: ARM}} replaced by that
     * arm's checkpoint of the same seed), its run id, its folder, and its ledger record when it is complete already
     * (then skipped, unless --force: a re-run then goes to a new folder {@code runs/ID.2}). Writes nothing but the
     * corpus, when the profile's is missing.
     */
    public List<RunPlan> plan() throws IOException {
        ObjectNode data = dataSection();
        List<Long> runSeeds = seeds != null ? seeds : profile.seeds();
        List<String> arms = only == null ? order(profile) : closure(profile, only);
        validate(arms, data, runSeeds.get(0));
        String fingerprint = CodeFingerprint.checked(root), commit = GitInfo.commit(root);
        Ledger ledger = new Ledger(results);
        List<RunPlan> out = new ArrayList<>();
        Map<String, String> dataHashes = new LinkedHashMap<>();
        java.util.Set<String> referenced = new java.util.HashSet<>();
        for (String a : arms) walkRefs(profile.experiment(a).tree(), "", (path, node) -> referenced.add(node.get("run").asText()));
        int i = 0, total = runSeeds.size() * arms.size();
        log.printf("profile %s: %d arms × %d seeds %s, code fingerprint %s (commit %s)%n", profile.name, arms.size(), runSeeds.size(), runSeeds,
                fingerprint, commit);
        for (long seed : runSeeds) {
          Map<String, RunPlan.Need> planned = new LinkedHashMap<>();
          for (String exp : arms) {
            i++;
            ConfigDoc doc = armConfig(exp, data, seed);
            ObjectNode tree = doc.tree();
            List<RunPlan.Need> needs = new ArrayList<>();
            Map<String, String> refs = resolveRuns(exp, tree, planned, needs);
            TrainConfig cfg = TrainConfig.fromDoc(doc, root.resolve("experiments").resolve(exp + ".yaml")).onBackend(backend, device).onNumerics(numerics);
            // arms share the data hash unless they read more data (augmentation folders)
            String dataHash = dataHashes.get(RunInputs.dataKey(cfg));
            if (dataHash == null) dataHashes.put(RunInputs.dataKey(cfg), dataHash = RunInputs.dataHash(cfg));
            ObjectNode portable = RunId.portable(cfg.toTree(), root);
            String id = RunId.of(portable, cfg.seed(), fingerprint, dataHash, cfg.backend());
            ObjectNode existing = ledger.find(id).filter(r -> "complete".equals(r.path("status").asText())).orElse(null);
            String label = String.format("[%d/%d] %s seed %d (run %s)", i, total, exp, seed, id);
            String dirName = "runs/" + id;
            if (existing != null && !force) {
                log.println(label + ": complete in the ledger, skipped (--force re-runs)");
                dirName = existing.get("dir").asText();
                if (referenced.contains(exp) && !Files.exists(results.resolve(dirName).resolve("best.ckpt")))
                    log.println("  note: its checkpoint is not in results/ (checkpoints are not committed); runs needing it must be re-run with --force");
            } else {
                existing = null;
                if (force) for (int k = 2; Files.exists(results.resolve(dirName).resolve("done.json")); k++) dirName = "runs/" + id + "." + k;
            }
            planned.put(exp, new RunPlan.Need(id, dirName));
            out.add(new RunPlan(id, exp, profile.name, seed, dirName, portable, refs, needs, commit, fingerprint, dataHash, label, existing));
          }
        }
        return out;
    }

    /** An arm's configuration: the profile's overlays, then the data paths and the seed this reproduction fills in. */
    private ConfigDoc armConfig(String arm, ObjectNode data, long seed) throws IOException {
        ConfigDoc doc = profile.experiment(arm);
        doc.merge("/data", ConfigDoc.of(Ledger.JSON.createObjectNode().set("data", data), "the data section of profile " + profile.name), "/data");
        doc.set("/seed", LongNode.valueOf(seed), profile.where("/seeds"));
        return doc;
    }

    /**
     * Every arm's resolved configuration is checked (values, ranges, augmentation folders) before the first run trains,
     * so a typo in the last arm does not surface hours later; all problems are reported together.
     */
    private void validate(List<String> arms, ObjectNode data, long seed) throws IOException {
        List<String> problems = new ArrayList<>();
        for (String arm : arms) {
            try {
                ConfigDoc doc = armConfig(arm, data, seed);
                walkRefs(doc.tree(), "", (path, node) -> {
                    String target = node.get("run").asText();
                    node.removeAll().put("checkpoint", results.resolve("runs").resolve("(the run of arm " + target + ")").resolve("best.ckpt").toString());
                });
                RunInputs.augmenter(TrainConfig.fromDoc(doc, root.resolve("experiments").resolve(arm + ".yaml")));
            } catch (IOException e) {
                problems.add("arm " + arm + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) throw new IOException("profile " + profile.name + " has invalid arms, nothing was trained: " + String.join("; ", problems));
    }

    /**
     * Replaces every {@code {run: ARM}} in the arm's tree (e.g. {@code teacher: {run: teacher}}) by that arm's
     * checkpoint of the same seed, {@code {checkpoint: results/runs/ID/best.ckpt}}; returns where each reference was
     * (its JSON path, "teacher" for the teacher) → the run id it now names, and adds the runs named to {@code needs}.
     */
    private Map<String, String> resolveRuns(String arm, ObjectNode tree, Map<String, RunPlan.Need> planned, List<RunPlan.Need> needs) throws IOException {
        Map<String, String> refs = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        walkRefs(tree, "", (path, node) -> {
            String target = node.get("run").asText();
            RunPlan.Need run = planned.get(target);
            if (run == null) {
                problems.add(arm + " (" + path + ") needs the run of arm '" + target + "', which the profile does not run before it");
                return;
            }
            refs.put(path, run.id());
            if (!needs.contains(run)) needs.add(run);
            node.removeAll().put("checkpoint", results.resolve(run.dir()).resolve("best.ckpt").toString());
        });
        if (!problems.isEmpty()) throw new IOException(String.join("; ", problems));
        return refs;
    }

    private interface RefVisitor {
        void visit(String path, ObjectNode node);
    }

    private static void walkRefs(JsonNode node, String path, RefVisitor v) {
        if (node instanceof ObjectNode o) {
            if (o.size() == 1 && o.has("run") && o.get("run").isTextual()) {
                v.visit(path, o);
                return;
            }
            for (var it = o.fields(); it.hasNext(); ) {
                var e = it.next();
                walkRefs(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), v);
            }
        } else if (node != null && node.isArray()) {
            for (int k = 0; k < node.size(); k++) walkRefs(node.get(k), path + "[" + k + "]", v);
        }
    }

    /** The profile's arms with every arm after the arms it refers to (listed order otherwise); a cycle or unknown arm is an error. */
    static List<String> order(Profile profile) throws IOException {
        List<String> arms = profile.arms();
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (String a : arms) {
            List<String> d = new ArrayList<>();
            ConfigDoc doc = profile.experiment(a);
            List<String> where = new ArrayList<>();
            walkRefs(doc.tree(), "", (path, node) -> {
                d.add(node.get("run").asText());
                where.add(doc.where("/" + path.replace('.', '/') + "/run"));
            });
            for (int k = 0; k < d.size(); k++)
                if (!arms.contains(d.get(k)))
                    throw new IOException(where.get(k) + ": arm " + a + " of profile " + profile.name + " refers to run '" + d.get(k) + "', which is not one of its arms " + arms);
            deps.put(a, d);
        }
        List<String> out = new ArrayList<>();
        java.util.Set<String> visiting = new java.util.HashSet<>();
        for (String a : arms) visit(a, deps, out, visiting, profile.name);
        return out;
    }

    /** The given arms and every arm they refer to, in run order. */
    static List<String> closure(Profile profile, List<String> wanted) throws IOException {
        List<String> all = order(profile);
        for (String w : wanted) if (!all.contains(w)) throw new IOException("profile " + profile.name + " has no arm " + w + "; its arms: " + all);
        java.util.Set<String> keep = new java.util.HashSet<>(wanted);
        for (int k = all.size() - 1; k >= 0; k--) {
            String a = all.get(k);
            if (keep.contains(a)) walkRefs(profile.experiment(a).tree(), "", (path, node) -> keep.add(node.get("run").asText()));
        }
        return all.stream().filter(keep::contains).toList();
    }

    private static void visit(String a, Map<String, List<String>> deps, List<String> out, java.util.Set<String> visiting, String profile) throws IOException {
        if (out.contains(a)) return;
        if (!visiting.add(a)) throw new IOException("profile " + profile + ": arms refer to each other in a cycle through " + a);
        for (String d : deps.get(a)) visit(d, deps, out, visiting, profile);
        visiting.remove(a);
        out.add(a);
    }

    /** results/profiles/NAME.json: the seeds and the comparison settings the report applies to this profile's runs. */
    private void writeAnalysis(List<Long> runSeeds) throws IOException {
        ObjectNode a = Ledger.JSON.createObjectNode();
        a.put("profile", profile.name);
        var s = a.putArray("seeds");
        runSeeds.forEach(s::add);
        a.set("analysis", profile.analysis());
        var e = a.putArray("experiments");
        order(profile).forEach(e::add);
        AtomicFiles.writeString(results.resolve("profiles").resolve(profile.name + ".json"), a.toPrettyString() + "\n");
    }

    /** Data paths: the profile's synthetic corpus under data/ (generated when missing), or lists under --data. */
    private ObjectNode dataSection() throws IOException {
        ObjectNode d = Ledger.JSON.createObjectNode();
        JsonNode corpus = profile.corpus();
        if (corpus != null) {
            String p = corpus.get("synthvox").asText();
            long seed = corpus.path("seed").asLong(1);
            Path dir = root.resolve("data").resolve("synthvox-" + p + "-seed" + seed);
            SynthVox.Manifest m = SynthVox.ensure(SynthVox.Profile.named(p), seed, dir, log);
            d.put("train_list", m.trainList().toString());
            d.put("train_root", m.wavRoot().toString());
            d.put("val_trials", m.valTrials().toString());
            d.put("test_trials", m.testTrials().toString());
            d.put("trial_root", m.wavRoot().toString());
            d.put("musan", m.musan().toString());
            d.put("rirs", m.rirs().toString());
            return d;
        }
        if (dataDir == null) throw new IOException("profile " + profile.name + " reads your data: pass --data DIR (see experiments/profiles/" + profile.name + ".yaml)");
        JsonNode pd = profile.data();
        for (String k : new String[] {"train_list", "train_root", "val_trials", "test_trials", "trial_root", "musan", "rirs"})
            if (pd.has(k)) d.put(k, dataDir.resolve(pd.get(k).asText()).toAbsolutePath().normalize().toString());
        if (pd.has("workers")) d.put("workers", pd.get("workers").asInt());
        return d;
    }
}
