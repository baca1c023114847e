package org.voxkd.distill;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A run's distillation method in words, for ledger records and the report ("cosine α 0.4 + stages 0.3 (…)"). */
public final class Methods {
    private Methods() {}

    /** The method of a run with these resolved sections and {@code teachers} teachers ("none" when it does not distil). */
    public static String describe(LossSpec loss, DistillSpec distill, int teachers) {
        if (!loss.finalKd(distill) && !(distill.termWeight() > 0)) return "none";
        List<String> parts = new ArrayList<>();
        if (loss.finalKd(distill)) {
            AlphaSchedule s = distill.alphaSchedule();
            String a = s != null ? "α " + s.describe() : "α " + num(loss.alpha());
            parts.add(loss.distillation() + " " + a + (teachers > 1 ? " from " + teachers + " teachers (" + distill.combine() + ")" : ""));
        }
        distill.terms().forEach((key, spec) -> parts.add(key + " " + num(spec.path("weight").asDouble()) + details(spec)));
        return String.join(" + ", parts);
    }

    /** The spec's other settings: "(loss cosine, align frame, 3 pairs)". */
    private static String details(JsonNode spec) {
        List<String> d = new ArrayList<>();
        spec.fields().forEachRemaining(e -> {
            if (e.getKey().equals("weight") || e.getValue().isNull()) return;
            JsonNode v = e.getValue();
            d.add(v.isContainerNode() ? v.size() + " " + e.getKey() : e.getKey() + " " + (v.isNumber() ? num(v.asDouble()) : v.asText()));
        });
        return d.isEmpty() ? "" : " (" + String.join(", ", d) + ")";
    }

    static String num(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
