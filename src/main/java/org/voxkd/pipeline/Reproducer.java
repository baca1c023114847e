package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.data.SynthVox;
import org.voxkd.ledger.GitInfo;
import org.voxkd.ledger.Ledger;
import org.voxkd.ledger.RunId;
import org.voxkd.train.TrainConfig;
import org.voxkd.train.Trainer;

/**
 * `voxkd reproduce`: the corpus (generated if needed), the teacher, then every student against the teacher's
 * checkpoint, each run skipped when the ledger already holds a complete run with the same id; one ledger
 * record per finished run. Runs go to {@code results/runs/<id>} through an {@link Executor}.
 */
public final class Reproducer {
    private final Path root, results;
    private final Profile profile;
    private final Executor executor;
    private final PrintStream log;
    private final String backend, device, numerics;
    private final boolean force;
    private final Path dataDir;

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

    /** Runs (or skips) every experiment; returns the records of the runs now in the ledger, in order. */
    public List<ObjectNode> run() throws IOException {
        long t0 = System.nanoTime();
        ObjectNode data = dataSection();
        String commit = GitInfo.commit(root);
        Ledger ledger = new Ledger(results);
        Map<String, ObjectNode> done = new LinkedHashMap<>();
        List<ObjectNode> out = new ArrayList<>();
        String dataHash = null;
        int i = 0;
        for (String exp : Profile.EXPERIMENTS) {
            i++;
            ObjectNode tree = profile.experiment(exp);
            Profile.merge(tree, Ledger.JSON.createObjectNode().set("data", data));
            String teacherRun = null;
            JsonNode t = tree.path("teacher");
            if (t.has("run")) {
                ObjectNode teacherRecord = done.get(t.get("run").asText());
                if (teacherRecord == null) throw new IOException(exp + " needs the teacher run '" + t.get("run").asText() + "', which comes first");
                teacherRun = teacherRecord.get("id").asText();
                Path ckpt = results.resolve(teacherRecord.get("dir").asText()).resolve("best.ckpt");
                ((ObjectNode) t).removeAll().put("checkpoint", ckpt.toString());
            }
            TrainConfig cfg = TrainConfig.fromTree(tree, root.resolve("experiments").resolve(exp + ".yaml")).onBackend(backend, device).onNumerics(numerics);
            if (dataHash == null) dataHash = Trainer.dataHash(cfg);
            String id = RunId.of(RunId.portable(cfg.toTree(), root), cfg.seed(), commit, dataHash, cfg.backend());
            ObjectNode existing = ledger.find(id).filter(r -> "complete".equals(r.path("status").asText())).orElse(null);
            String head = String.format("[%d/%d] %s (run %s)", i, Profile.EXPERIMENTS.size(), exp, id);
            if (existing != null && !force) {
                log.println(head + ": complete in the ledger, skipped (--force re-runs)");
                if (teacherRun == null && exp.equals("teacher") && !Files.exists(results.resolve(existing.get("dir").asText()).resolve("best.ckpt")))
                    log.println("  note: its checkpoint is not in results/ (checkpoints are not committed); students needing it must be re-run with --force");
                done.put(exp, existing);
                out.add(existing);
                continue;
            }
            String dirName = "runs/" + id;
            for (int k = 2; Files.exists(results.resolve(dirName).resolve("done.json")); k++) dirName = "runs/" + id + "." + k;
            log.printf("%s: training (%.0f s elapsed in this reproduction)%n", head, (System.nanoTime() - t0) / 1e9);
            Instant start = Instant.now();
            ObjectNode rec = executor.run(cfg, results.resolve(dirName));
            ObjectNode record = Records.build(id, exp, profile.name, cfg, RunId.portable(cfg.toTree(), root), commit, dataHash, teacherRun,
                    start, Instant.now(), rec, results, dirName);
            ledger.append(record);
            done.put(exp, record);
            out.add(record);
        }
        log.printf("reproduction of profile %s finished in %.1f min%n", profile.name, (System.nanoTime() - t0) / 60e9);
        return out;
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
            d.put("trials", m.trialList().toString());
            d.put("trial_root", m.wavRoot().toString());
            return d;
        }
        if (dataDir == null) throw new IOException("profile " + profile.name + " reads your data: pass --data DIR (see experiments/profiles/" + profile.name + ".yaml)");
        JsonNode pd = profile.data();
        for (String k : new String[] {"train_list", "train_root", "trials", "trial_root"})
            if (pd.has(k)) d.put(k, dataDir.resolve(pd.get(k).asText()).toAbsolutePath().normalize().toString());
        if (pd.has("workers")) d.put("workers", pd.get("workers").asInt());
        return d;
    }
}
