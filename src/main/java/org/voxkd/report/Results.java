package org.voxkd.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.voxkd.stats.SpeakerBootstrap;

/**
 * The runs of one profile read from a results directory ({@code ledger.jsonl}, {@code runs/<id>/}, and
 * {@code profiles/<profile>.json} for the declared analysis settings). A report never mixes code: only records
 * made with one code fingerprint are used — that of the profile's most recent record — and the others are
 * counted and named. Per (experiment, seed) the latest complete record wins.
 */
public final class Results {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String profile, fingerprint;
    private final Map<String, Arm> arms;
    private final List<String> commits;
    private final Map<String, Integer> otherFingerprints;
    private final double margin;
    private final int resamples;
    private final List<Long> seeds;
    private Path dir;
    private int combinedResamples = 10_000;
    private final Map<String, JsonNode> configs = new LinkedHashMap<>();
    private JsonNode environment = JSON.createObjectNode();

    public Results(String profile, String fingerprint, Map<String, Arm> arms, List<String> commits, Map<String, Integer> otherFingerprints,
                   double margin, int resamples, List<Long> seeds) {
        this.profile = profile;
        this.fingerprint = fingerprint;
        this.arms = arms;
        this.commits = commits;
        this.otherFingerprints = otherFingerprints;
        this.margin = margin;
        this.resamples = resamples;
        this.seeds = seeds;
    }

    public String profile() { return profile; }

    /** The results directory these were loaded from (null when built in memory): where deploy/ studies lie. */
    public Path dir() { return dir; }

    /** The code fingerprint every shown run was made with ("none" without runs). */
    public String fingerprint() { return fingerprint; }

    /** The commits (provenance) of the shown runs. */
    public List<String> commits() { return commits; }

    /** Records of this profile left out because another code made them: fingerprint → count. */
    public Map<String, Integer> otherFingerprints() { return otherFingerprints; }

    /** The equivalence margin of the EER, as a fraction (0: no equivalence claims). */
    public double margin() { return margin; }

    public int resamples() { return resamples; }

    /** Resamples of the combined seed-and-speaker intervals: the profile's analysis.combined_resamples, else 10,000 (at least {@link #resamples()}). */
    public int combinedResamples() { return Math.max(combinedResamples, resamples); }

    /** The seeds the profile declares (or those present). */
    public List<Long> seeds() { return seeds; }

    /** The resolved training configuration of an arm's first run (its ledger record's "config"), or an empty object. */
    public JsonNode config(String experiment) {
        return configs.getOrDefault(experiment, JSON.createObjectNode());
    }

    /** The machine of the shown runs: the "environment" of the first record (cpu, jdk, numerics, gemm, …), or an empty object. */
    public JsonNode environment() {
        return environment;
    }

    /** The arm of this experiment, or empty when it was not run (under this profile and code). */
    public Optional<Arm> get(String experiment) {
        return Optional.ofNullable(arms.get(experiment));
    }

    /** The arms present, in report order. */
    public List<Arm> present() {
        List<Arm> l = new ArrayList<>();
        for (String e : Experiments.ALL) get(e).ifPresent(l::add);
        arms.keySet().stream().filter(k -> !Experiments.ALL.contains(k)).sorted().forEach(k -> l.add(arms.get(k)));
        return l;
    }

    /** Every run shown, arm by arm. */
    public List<Run> runs() {
        return present().stream().flatMap(a -> a.runs().stream()).toList();
    }

    /** Whether any shown run selected and reported on the same trial list. */
    public boolean anySameList() {
        return runs().stream().anyMatch(Run::sameList);
    }

    /** Loads the ledger under {@code dir}; {@code profile} null means the profile of the last record. */
    public static Results load(Path dir, String profile) throws IOException {
        Path ledger = dir.resolve("ledger.jsonl");
        List<JsonNode> records = new ArrayList<>();
        if (Files.exists(ledger)) {
            int n = 0;
            for (String line : Files.readAllLines(ledger, StandardCharsets.UTF_8)) {
                n++;
                if (line.isBlank()) continue;
                try {
                    records.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new IOException("ledger.jsonl:" + n + ": not a JSON object (" + e.getMessage().lines().findFirst().orElse("") + ")");
                }
            }
        }
        if (profile == null) profile = records.isEmpty() ? "none" : records.get(records.size() - 1).path("profile").asText("none");
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode r : records)
            if (profile.equals(r.path("profile").asText()) && "complete".equals(r.path("status").asText())) mine.add(r);
        String fingerprint = mine.isEmpty() ? "none" : mine.get(mine.size() - 1).path("code_fingerprint").asText("unknown");
        Map<String, Integer> others = new TreeMap<>();
        Map<String, TreeMap<Long, Run>> byArm = new LinkedHashMap<>();
        LinkedHashSet<String> commits = new LinkedHashSet<>();
        for (JsonNode r : mine) {
            String fp = r.path("code_fingerprint").asText("unknown");
            if (!fp.equals(fingerprint)) {
                others.merge(fp, 1, Integer::sum);
                continue;
            }
            Run run = run(dir, r);
            byArm.computeIfAbsent(run.experiment(), k -> new TreeMap<>()).put(run.seed(), run);
            commits.add(run.commit());
        }
        Map<String, JsonNode> configs = new LinkedHashMap<>();
        JsonNode env = null;
        for (JsonNode r : mine) {
            if (!r.path("code_fingerprint").asText("unknown").equals(fingerprint)) continue;
            configs.putIfAbsent(r.path("experiment").asText(), r.path("config"));
            if (env == null && r.has("environment")) env = r.get("environment");
        }
        Map<String, Arm> arms = new LinkedHashMap<>();
        byArm.forEach((k, v) -> arms.put(k, new Arm(k, List.copyOf(v.values()))));
        double margin = 0;
        int resamples = SpeakerBootstrap.DEFAULT_RESAMPLES, combined = 10_000;
        List<Long> seeds = new ArrayList<>();
        Path analysis = dir.resolve("profiles").resolve(profile + ".json");
        if (Files.exists(analysis)) {
            JsonNode a = JSON.readTree(analysis.toFile());
            margin = a.path("analysis").path("equivalence_margin_eer").asDouble(0) / 100;
            resamples = a.path("analysis").path("resamples").asInt(resamples);
            combined = a.path("analysis").path("combined_resamples").asInt(combined);
            if (combined < 1) throw new IllegalArgumentException(analysis + ": analysis.combined_resamples must be positive, got " + combined);
            for (JsonNode s : a.path("seeds")) seeds.add(s.asLong());
        }
        if (seeds.isEmpty()) {
            TreeSet<Long> present = new TreeSet<>();
            arms.values().forEach(x -> present.addAll(x.seeds()));
            seeds.addAll(present);
        }
        Results r = new Results(profile, fingerprint, arms, List.copyOf(commits), others, margin, resamples, List.copyOf(seeds));
        r.dir = dir;
        r.combinedResamples = combined;
        r.configs.putAll(configs);
        if (env != null) r.environment = env;
        return r;
    }

    static Run run(Path dir, JsonNode r) throws IOException {
        JsonNode kd = r.path("distillation");
        String runDir = r.path("dir").asText("runs/" + r.path("id").asText());
        List<Run.Epoch> history = new ArrayList<>();
        if (r.has("history")) for (JsonNode h : r.get("history")) history.add(epoch(h));
        else history = epochsCsv(dir.resolve(runDir).resolve("epochs.csv"));
        Path scores = dir.resolve(runDir).resolve("test_scores.txt");
        JsonNode v = r.path("validation"), t = r.path("test");
        return new Run(r.path("id").asText(), r.path("experiment").asText(), r.path("profile").asText(), r.path("seed").asLong(1),
                r.path("code_fingerprint").asText("unknown"), r.path("commit").asText("unknown"), r.path("model").asText(),
                r.path("parameters").asLong(), kd.path("loss").asText("none"), kd.path("alpha").asDouble(0), kd.path("tau").asDouble(0),
                r.path("epochs").asInt(history.size()), r.path("seconds").asDouble(), r.path("train_samples_per_s").asDouble(),
                r.path("selection").asText(""), metrics(v.get("best")), metrics(v.get("last")), metrics(t.get("best")), metrics(t.get("last")),
                t.path("same_as_validation").asBoolean(false), List.copyOf(history), Files.exists(scores) ? TestScores.read(scores) : null,
                distillation(r));
    }

    /** The distillation of a record; older records (before methods were recorded) describe their single loss. */
    private static Run.Distillation distillation(JsonNode r) {
        JsonNode kd = r.path("distillation");
        String loss = kd.path("loss").asText("none");
        String method = kd.has("method") ? kd.get("method").asText()
                : loss.equals("none") ? "none" : loss + " α " + Fmt.fixed(kd.path("alpha").asDouble(), 1);
        Map<String, String> deps = new LinkedHashMap<>();
        r.path("depends_on").fields().forEachRemaining(e -> deps.put(e.getKey(), e.getValue().asText()));
        if (deps.isEmpty() && r.has("teacher_run")) deps.put("teacher", r.get("teacher_run").asText());
        return new Run.Distillation(method, kd.path("teachers").asInt(loss.equals("none") ? 0 : 1), java.util.Collections.unmodifiableMap(deps));
    }

    private static Run.Metrics metrics(JsonNode m) {
        if (m == null || !m.has("eer") || m.get("eer").isNull()) return null;
        return new Run.Metrics(m.path("epoch").asInt(), m.get("eer").asDouble(), m.path("eer_ci_low").asDouble(Double.NaN),
                m.path("eer_ci_high").asDouble(Double.NaN), m.path("min_dcf_005").asDouble(Double.NaN), m.path("min_dcf_001").asDouble(Double.NaN),
                m.path("target_trials").asInt(), m.path("nontarget_trials").asInt());
    }

    private static Run.Epoch epoch(JsonNode h) {
        Map<String, Double> columns = new java.util.TreeMap<>();
        h.fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) columns.put(e.getKey(), e.getValue().asDouble());
        });
        return new Run.Epoch(h.path("epoch").asInt(), h.path("lr").asDouble(), h.path("loss").asDouble(), h.path("loss_cls").asDouble(),
                h.path("loss_kd").asDouble(), h.path("kd_loss_share").asDouble(), h.path("kd_grad_share").asDouble(),
                h.path("train_accuracy").asDouble(), h.path("samples_per_s").asDouble(), h.path("seconds").asDouble(),
                Optional.ofNullable(metrics(h)), java.util.Collections.unmodifiableMap(columns));
    }

    private static List<Run.Epoch> epochsCsv(Path csv) throws IOException {
        List<Run.Epoch> l = new ArrayList<>();
        if (!Files.exists(csv)) return l;
        try (Reader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            for (CSVRecord c : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                var o = JSON.createObjectNode();
                for (String k : c.getParser().getHeaderNames()) {
                    String v = c.get(k);
                    if (!v.isEmpty()) o.put(k, Double.parseDouble(v));
                }
                l.add(epoch(o));
            }
        }
        return l;
    }
}
