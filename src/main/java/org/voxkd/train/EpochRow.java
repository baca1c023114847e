package org.voxkd.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.voxkd.eval.Verification;

/**
 * One epoch of training: learning rate, losses (total, classification, distillation), the distillation
 * share of the loss and of the gradient norm at the embedding, training accuracy, throughput, and the
 * validation figures when the epoch was validated (NaN otherwise).
 */
public record EpochRow(int epoch, double lr, double loss, double lossCls, double lossKd, double kdLossShare, double kdGradShare,
                       double accuracy, double samplesPerSecond, double seconds, double eer, double eerLow, double eerHigh,
                       double minDcf05, double minDcf01, int targets, int nonTargets) {

    static final String[] HEADER = {"epoch", "lr", "loss", "loss_cls", "loss_kd", "kd_loss_share", "kd_grad_share", "train_accuracy",
            "samples_per_s", "seconds", "eer", "eer_ci_low", "eer_ci_high", "min_dcf_005", "min_dcf_001", "target_trials", "nontarget_trials"};

    /** From the per-micro-batch sums of the step metrics. */
    static EpochRow of(int epoch, double lr, double[] sums, int n, double alpha, double samplesPerSecond, double seconds) {
        double cls = sums[StepProgram.CLS] / n, kd = sums[StepProgram.KD] / n, total = sums[StepProgram.TOTAL] / n;
        // Shares: α·L_kd of the total; ‖∂(α·L_kd)/∂e‖ of the summed norms of both terms (mean over micro-batches).
        double gc = Math.sqrt(sums[StepProgram.GRAD_CLS] / n), gk = Math.sqrt(sums[StepProgram.GRAD_KD] / n);
        double lossShare = total > 0 ? alpha * kd / total : 0, gradShare = gc + gk > 0 ? gk / (gc + gk) : 0;
        return new EpochRow(epoch, lr, total, cls, kd, lossShare, gradShare, sums[StepProgram.ACCURACY] / n, samplesPerSecond, seconds,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0);
    }

    EpochRow withValidation(Verification.Result r) {
        return new EpochRow(epoch, lr, loss, lossCls, lossKd, kdLossShare, kdGradShare, accuracy, samplesPerSecond, seconds, r.metrics().eer(),
                r.eerInterval().low(), r.eerInterval().high(), r.metrics().minDcf05(), r.metrics().minDcf01(), r.targets(), r.nonTargets());
    }

    String summary() {
        String s = String.format(Locale.ROOT, "epoch %d: lr %.3g loss %.4f (cls %.4f, kd %.5f; kd share %.1f%% of loss, %.1f%% of gradient) acc %.1f%% %.1f samples/s",
                epoch, lr, loss, lossCls, lossKd, 100 * kdLossShare, 100 * kdGradShare, accuracy, samplesPerSecond);
        return Double.isNaN(eer) ? s : s + String.format(Locale.ROOT, ", EER %.2f%%", 100 * eer);
    }

    Object[] values() {
        return new Object[] {epoch, lr, loss, lossCls, lossKd, kdLossShare, kdGradShare, accuracy, samplesPerSecond, seconds, eer, eerLow,
                eerHigh, minDcf05, minDcf01, targets, nonTargets};
    }

    static String csv(List<EpochRow> rows) {
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(HEADER).setRecordSeparator('\n').get())) {
            for (EpochRow r : rows) {
                Object[] v = r.values();
                for (int i = 0; i < v.length; i++) if (v[i] instanceof Double d) v[i] = Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.8g", d);
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
            Object[] v = r.values();
            for (int i = 0; i < HEADER.length; i++) {
                if (v[i] instanceof Integer x) o.put(HEADER[i], x);
                else if (!Double.isNaN((Double) v[i])) o.put(HEADER[i], (Double) v[i]);
            }
        }
        return a;
    }

    static EpochRow fromJson(JsonNode o) {
        double[] d = new double[HEADER.length];
        for (int i = 0; i < HEADER.length; i++) d[i] = o.has(HEADER[i]) ? o.get(HEADER[i]).asDouble() : Double.NaN;
        return new EpochRow((int) d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14],
                o.has("target_trials") ? o.get("target_trials").asInt() : 0, o.has("nontarget_trials") ? o.get("nontarget_trials").asInt() : 0);
    }
}
