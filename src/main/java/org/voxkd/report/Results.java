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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The runs of one profile read from a results directory ({@code ledger.jsonl}, {@code runs/<id>/epochs.csv}).
 * Per experiment the latest complete record (last in the file) wins. The per-epoch history comes from the
 * record; when a record carries none, from the run's {@code epochs.csv}.
 */
public final class Results {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String profile;
    private final Map<String, Run> runs;

    public Results(String profile, Map<String, Run> runs) {
        this.profile = profile;
        this.runs = runs;
    }

    public String profile() {
        return profile;
    }

    /** The run of this experiment, or empty when it was not run (under this profile). */
    public Optional<Run> get(String experiment) {
        return Optional.ofNullable(runs.get(experiment));
    }

    /** The runs present, in report order. */
    public List<Run> present() {
        List<Run> l = new ArrayList<>();
        for (String e : Experiments.ALL) get(e).ifPresent(l::add);
        runs.keySet().stream().filter(k -> !Experiments.ALL.contains(k)).sorted().forEach(k -> l.add(runs.get(k)));
        return l;
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
        Map<String, Run> runs = new LinkedHashMap<>();
        for (JsonNode r : records)
            if (profile.equals(r.path("profile").asText()) && "complete".equals(r.path("status").asText()))
                runs.put(r.path("experiment").asText(), run(dir, r));
        return new Results(profile, runs);
    }

    static Run run(Path dir, JsonNode r) throws IOException {
        JsonNode kd = r.path("distillation");
        List<Run.Epoch> history = new ArrayList<>();
        if (r.has("history")) for (JsonNode h : r.get("history")) history.add(epoch(h));
        else history = epochsCsv(dir.resolve(r.path("dir").asText("runs/" + r.path("id").asText())).resolve("epochs.csv"));
        return new Run(r.path("id").asText(), r.path("experiment").asText(), r.path("profile").asText(), r.path("model").asText(),
                r.path("parameters").asLong(), kd.path("loss").asText("none"), kd.path("alpha").asDouble(0), kd.path("tau").asDouble(0),
                r.path("epochs").asInt(history.size()), r.path("seconds").asDouble(), r.path("train_samples_per_s").asDouble(),
                metrics(r.get("best")), metrics(r.get("final")), List.copyOf(history));
    }

    private static Run.Metrics metrics(JsonNode m) {
        if (m == null || !m.has("eer") || m.get("eer").isNull()) return null;
        return new Run.Metrics(m.path("epoch").asInt(), m.get("eer").asDouble(), m.path("eer_ci_low").asDouble(Double.NaN),
                m.path("eer_ci_high").asDouble(Double.NaN), m.path("min_dcf_005").asDouble(Double.NaN), m.path("min_dcf_001").asDouble(Double.NaN),
                m.path("target_trials").asInt(), m.path("nontarget_trials").asInt());
    }

    private static Run.Epoch epoch(JsonNode h) {
        return new Run.Epoch(h.path("epoch").asInt(), h.path("lr").asDouble(), h.path("loss").asDouble(), h.path("loss_cls").asDouble(),
                h.path("loss_kd").asDouble(), h.path("kd_loss_share").asDouble(), h.path("kd_grad_share").asDouble(),
                h.path("train_accuracy").asDouble(), h.path("samples_per_s").asDouble(), h.path("seconds").asDouble(),
                Optional.ofNullable(metrics(h)));
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
