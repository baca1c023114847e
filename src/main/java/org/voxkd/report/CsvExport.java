package org.voxkd.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** A run's trajectory as CSV, the columns of {@code epochs.csv} (validation columns empty where not validated). */
public final class CsvExport {
    private CsvExport() {}

    static final String[] HEADER = {"epoch", "lr", "loss", "loss_cls", "loss_kd", "kd_loss_share", "kd_grad_share", "train_accuracy",
            "samples_per_s", "seconds", "eer", "eer_ci_low", "eer_ci_high", "min_dcf_005", "min_dcf_001", "target_trials", "nontarget_trials"};

    public static String of(Run r) {
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(HEADER).setRecordSeparator('\n').get())) {
            for (Run.Epoch e : r.history()) {
                Run.Metrics v = e.validation().orElse(null);
                p.printRecord(e.epoch(), g(e.lr()), g(e.loss()), g(e.lossCls()), g(e.lossKd()), g(e.kdLossShare()), g(e.kdGradShare()),
                        g(e.accuracy()), g(e.samplesPerSecond()), g(e.seconds()), v == null ? "" : g(v.eer()), v == null ? "" : g(v.eerLow()),
                        v == null ? "" : g(v.eerHigh()), v == null ? "" : g(v.minDcf05()), v == null ? "" : g(v.minDcf01()),
                        v == null ? "" : v.targets(), v == null ? "" : v.nonTargets());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static String g(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.8g", v);
    }
}
