package org.voxkd.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * What the original report claimed, from the one hand-typed data file
 * {@code src/main/resources/report/original-results.json} (each entry names its source section).
 */
public final class Original {
    /** One experiment as the original printed it; EERs in percent, absent numbers NaN. */
    public record Row(String name, long parameters, String kdLoss, double alpha, double bestEer, int bestEpoch, double finalEer,
                      double minDcf, double samplesPerSecond, String dataset, String source) {}

    private final JsonNode root;

    private Original(JsonNode root) {
        this.root = root;
    }

    public static Original load() {
        try (InputStream in = Original.class.getResourceAsStream("/report/original-results.json")) {
            if (in == null) throw new IllegalStateException("resource /report/original-results.json missing");
            return new Original(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Row> get(String experiment) {
        JsonNode e = root.path("experiments").get(experiment);
        if (e == null) return Optional.empty();
        return Optional.of(new Row(e.path("name").asText(), e.path("parameters").asLong(), e.path("kd_loss").asText(), num(e, "alpha"),
                num(e, "best_eer"), e.path("best_epoch").asInt(), num(e, "final_eer"), num(e, "min_dcf"), num(e, "samples_per_s"),
                e.path("dataset").asText(), e.path("source").asText()));
    }

    /** The original's verdict on a hypothesis (key of {@link Hypotheses}), or "n/a". */
    public String claim(String hypothesis) {
        return root.path("hypotheses").path(hypothesis).path("claim").asText(Fmt.NA);
    }

    /** The original's verdict word on a hypothesis: supported, not supported, partial, not tested (or "n/a"). */
    public String claimVerdict(String hypothesis) {
        return root.path("hypotheses").path(hypothesis).path("verdict").asText(Fmt.NA);
    }

    /** Why this reproduction may disagree with the original on a hypothesis: the original's setup (hand-written). */
    public String context(String hypothesis) {
        return root.path("hypotheses").path(hypothesis).path("context").asText("");
    }

    /** The parameter count as the original printed it ("3.87M", "2,663,296"): a rounded count is never shown as exact. */
    public String parametersPrinted(String experiment) {
        JsonNode e = root.path("experiments").path(experiment);
        return e.has("parameters_printed") ? e.get("parameters_printed").asText() : Fmt.count(e.path("parameters").asLong());
    }

    public int nonTargetTrials() {
        return root.path("nontarget_trials").asInt();
    }

    private static double num(JsonNode e, String k) {
        JsonNode v = e.get(k);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }
}
