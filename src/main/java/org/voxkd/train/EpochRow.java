package org.voxkd.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.voxkd.eval.Verification;

/**
 * One epoch of training as named columns: the core columns every run has — learning rate, losses (total,
 * classification, final-embedding distillation), the distillation share of the loss and of the gradient, training
 * accuracy, throughput, and the validation figures when the epoch was validated (NaN otherwise) — then the columns
 * of the run's own loss terms ({@code loss_T}, {@code grad_T}, {@code weight_T}), the optimiser's gradient norms per
 * parameter group and, for several teachers, their mean weights. The epoch CSV, the ledger history and the report
 * read them by name.
 */
public record EpochRow(int epoch, Map<String, Double> columns) {

    /** Every run's columns, in this order (a CSV's first 17 columns). */
    static final List<String> CORE = List.of("epoch", "lr", "loss", "loss_cls", "loss_kd", "kd_loss_share", "kd_grad_share", "train_accuracy",
            "samples_per_s", "seconds", "eer", "eer_ci_low", "eer_ci_high", "min_dcf_005", "min_dcf_001", "target_trials", "nontarget_trials");
    static final List<String> VALIDATION = List.of("eer", "eer_ci_low", "eer_ci_high", "min_dcf_005", "min_dcf_001", "target_trials", "nontarget_trials");
    /** Columns written as integers. */
    static final List<String> INTEGER = List.of("epoch", "target_trials", "nontarget_trials");

    public EpochRow {
        columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /** A column's value (NaN when absent). */
    public double get(String column) {
        Double v = columns.get(column);
        return v == null ? Double.NaN : v;
    }

    /** What one epoch's steps and optimiser updates summed to, by column. */
    static final class Sums {
        final List<String> names;
        final double[] step;
        int steps, updates;
        final double[] update = new double[4];

        Sums(List<String> names) {
            this.names = names;
            this.step = new double[names.size()];
        }

        void addStep(double[] values) {
            for (int i = 0; i < values.length; i++) step[i] += values[i];
            steps++;
        }

        void addUpdate(double[] norms) {
            for (int i = 0; i < update.length; i++) update[i] += norms[i];
            updates++;
        }

        double mean(String column) {
            int i = names.indexOf(column);
            return i < 0 || steps == 0 ? 0 : step[i] / steps;
        }

        /** Σ_T weight_T·loss_T of the steps so far (the total loss). */
        double total(Map<String, Double> weights) {
            double t = 0;
            for (var e : weights.entrySet()) t += e.getValue() * mean("loss_" + e.getKey());
            return t;
        }
    }

    /**
     * From the sums of the step columns: each term's mean loss and gradient norm (the root of the mean squared norm at its
     * taps), the total Σ w·L with this epoch's weights, the distillation shares — of the loss, α-weighted; of the gradient,
     * Σ over distillation terms of their norms over the sum over all terms (norms at each term's taps: the embedding for
     * the final-embedding terms, the hidden activations for layer-wise ones), the same share at the student's parameters
     * from one diagnostic backward per term on the epoch's last micro-batch ({@code param_grad_T}, {@code kd_param_grad_share}:
     * comparable across terms that reach different layers) — and the optimiser's mean norms.
     */
    static EpochRow of(int epoch, double lr, Sums s, Map<String, Double> weights, List<String> distillation, List<String> groups,
                       Map<String, Double> paramGrads, double samplesPerSecond, double seconds) {
        Map<String, Double> c = new LinkedHashMap<>();
        double total = s.total(weights), kdLoss = 0, kdGrad = 0, allGrad = 0, alpha = 0;
        for (var e : weights.entrySet()) {
            double g = Math.sqrt(s.mean("grad_" + e.getKey()));
            allGrad += g;
            if (distillation.contains(e.getKey())) {
                kdLoss += e.getValue() * s.mean("loss_" + e.getKey());
                kdGrad += g;
                alpha += e.getValue();
            }
        }
        c.put("lr", lr);
        c.put("loss", total);
        c.put("loss_cls", s.mean("loss_cls"));
        c.put("loss_kd", s.mean("loss_kd"));
        c.put("kd_loss_share", total > 0 ? kdLoss / total : 0);
        c.put("kd_grad_share", allGrad > 0 ? kdGrad / allGrad : 0);
        c.put("train_accuracy", s.mean("train_accuracy"));
        c.put("samples_per_s", samplesPerSecond);
        c.put("seconds", seconds);
        for (String v : VALIDATION) c.put(v, Double.NaN);
        c.put("alpha", alpha);
        for (var e : weights.entrySet()) c.put("weight_" + e.getKey(), e.getValue());
        for (var e : weights.entrySet()) {
            if (!e.getKey().equals("cls") && !e.getKey().equals("kd")) c.put("loss_" + e.getKey(), s.mean("loss_" + e.getKey()));
            c.put("grad_" + e.getKey(), Math.sqrt(s.mean("grad_" + e.getKey())));
        }
        double kdParam = 0, allParam = 0;
        for (var e : paramGrads.entrySet()) {
            c.put("param_grad_" + e.getKey(), e.getValue());
            allParam += e.getValue();
            if (distillation.contains(e.getKey())) kdParam += e.getValue();
        }
        if (!paramGrads.isEmpty()) c.put("kd_param_grad_share", allParam > 0 ? kdParam / allParam : 0);
        for (String n : s.names) if (n.startsWith("teacher_weight_")) c.put(n, s.mean(n));
        for (int i = 0; i < groups.size(); i++) c.put("grad_norm_" + groups.get(i), s.updates == 0 ? 0 : s.update[i] / s.updates);
        c.put("clipped_share", s.updates == 0 ? 0 : s.update[3] / s.updates);
        return new EpochRow(epoch, c);
    }

    EpochRow withValidation(Verification.Result r) {
        Map<String, Double> c = new LinkedHashMap<>(columns);
        c.put("eer", r.metrics().eer());
        c.put("eer_ci_low", r.eerInterval().low());
        c.put("eer_ci_high", r.eerInterval().high());
        c.put("min_dcf_005", r.metrics().minDcf05());
        c.put("min_dcf_001", r.metrics().minDcf01());
        c.put("target_trials", (double) r.targets());
        c.put("nontarget_trials", (double) r.nonTargets());
        return new EpochRow(epoch, c);
    }

    String summary() {
        String s = String.format(Locale.ROOT, "epoch %d: lr %.3g loss %.4f (cls %.4f, kd %.5f; kd share %.1f%% of loss, %.1f%% of gradient) acc %.1f%% %.1f samples/s",
                epoch, get("lr"), get("loss"), get("loss_cls"), get("loss_kd"), 100 * get("kd_loss_share"), 100 * get("kd_grad_share"),
                get("train_accuracy"), get("samples_per_s"));
        return Double.isNaN(get("eer")) ? s : s + String.format(Locale.ROOT, ", EER %.2f%%", 100 * get("eer"));
    }

    /** The header of a run's rows: the core columns, then every other column in first-seen order. */
    static List<String> header(List<EpochRow> rows) {
        LinkedHashSet<String> h = new LinkedHashSet<>(CORE);
        for (EpochRow r : rows) h.addAll(r.columns.keySet());
        return new ArrayList<>(h);
    }

    private Object value(String column) {
        if (column.equals("epoch")) return epoch;
        double v = get(column);
        if (INTEGER.contains(column)) return Double.isNaN(v) ? 0 : (int) v;
        return v;
    }

    static String csv(List<EpochRow> rows) {
        List<String> header = header(rows);
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).setRecordSeparator('\n').get())) {
            for (EpochRow r : rows) {
                List<Object> v = new ArrayList<>();
                for (String c : header) {
                    Object x = r.value(c);
                    v.add(x instanceof Double d ? Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.8g", d) : x);
                }
                p.printRecord(v);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    static ArrayNode json(List<EpochRow> rows) {
        ArrayNode a = ModelFiles.JSON.createArrayNode();
        for (EpochRow r : rows) {
            ObjectNode o = a.addObject();
            for (String c : header(List.of(r))) {
                Object v = r.value(c);
                if (v instanceof Integer x) o.put(c, x);
                else if (!Double.isNaN((Double) v)) o.put(c, (Double) v);
            }
        }
        return a;
    }

    /** The wall-clock columns: they differ between two runs of the same bits, so {@code last.ckpt} leaves them out. */
    static final List<String> TIMES = List.of("samples_per_s", "seconds");

    /**
     * The rows as {@code last.ckpt} keeps them: without {@link #TIMES}, so that the same run made on two machines or in
     * two checkouts writes the same bytes (the times are in {@code epochs.csv}, whence a resume restores them).
     */
    static ArrayNode jsonWithoutTimes(List<EpochRow> rows) {
        ArrayNode a = json(rows);
        for (JsonNode o : a) ((ObjectNode) o).remove(TIMES);
        return a;
    }

    /**
     * Rows restored from {@code last.ckpt}, with their wall-clock columns read back from the run's {@code epochs.csv}
     * (written with the checkpoint after every epoch); where that file is missing or has no row for an epoch, the
     * times stay unknown (NaN: an empty CSV cell), which loses nothing a result depends on.
     */
    static List<EpochRow> withTimes(List<EpochRow> rows, Path epochsCsv) throws IOException {
        if (!Files.isRegularFile(epochsCsv)) return rows;
        Map<Integer, Map<String, Double>> times = new HashMap<>();
        try (Reader r = Files.newBufferedReader(epochsCsv);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (CSVRecord rec : p) {
                if (!rec.isMapped("epoch")) return rows;
                Map<String, Double> t = new HashMap<>();
                for (String c : TIMES) {
                    String v = rec.isMapped(c) && rec.isSet(c) ? rec.get(c) : "";
                    try {
                        if (!v.isEmpty()) t.put(c, Double.parseDouble(v));
                    } catch (NumberFormatException e) {
                        // a damaged cell: the time stays unknown
                    }
                }
                try {
                    times.put(Integer.parseInt(rec.get("epoch")), t);
                } catch (NumberFormatException e) {
                    return rows;
                }
            }
        }
        List<EpochRow> out = new ArrayList<>();
        for (EpochRow row : rows) {
            Map<String, Double> c = new LinkedHashMap<>(row.columns());
            Map<String, Double> t = times.getOrDefault(row.epoch(), Map.of());
            for (String k : TIMES) if (c.containsKey(k) || t.containsKey(k)) c.put(k, t.getOrDefault(k, Double.NaN));
            out.add(new EpochRow(row.epoch(), c));
        }
        return out;
    }

    static EpochRow fromJson(JsonNode o) {
        Map<String, Double> c = new LinkedHashMap<>();
        for (String k : CORE) if (!k.equals("epoch")) c.put(k, o.has(k) ? o.get(k).asDouble() : Double.NaN);
        o.fieldNames().forEachRemaining(k -> {
            if (!k.equals("epoch") && !c.containsKey(k)) c.put(k, o.get(k).asDouble());
        });
        return new EpochRow(o.get("epoch").asInt(), c);
    }
}
