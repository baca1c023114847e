package org.voxkd.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * CSV exports: an arm's trajectories (the columns of {@code epochs.csv}, one row per seed and epoch, validation
 * columns empty where not validated), and every run's final figures (one row per run: seed, validation and test
 * figures at the selected and the last checkpoint).
 */
public final class CsvExport {
    private CsvExport() {}

    static final String[] HEADER = {"seed", "run", "epoch", "lr", "loss", "loss_cls", "loss_kd", "kd_loss_share", "kd_grad_share", "train_accuracy",
            "samples_per_s", "seconds", "eer", "eer_ci_low", "eer_ci_high", "min_dcf_005", "min_dcf_001", "target_trials", "nontarget_trials"};

    static final String[] RUNS = {"experiment", "seed", "run", "code_fingerprint", "commit", "parameters", "kd_loss", "alpha", "epochs", "selected_epoch",
            "val_eer", "test_eer", "test_eer_ci_low", "test_eer_ci_high", "test_min_dcf_005", "test_min_dcf_001", "test_target_trials",
            "test_nontarget_trials", "last_test_eer", "last_test_min_dcf_005", "last_test_min_dcf_001", "seconds"};

    public static String of(Arm a) {
        return print(HEADER, p -> {
            for (Run r : a.runs())
                for (Run.Epoch e : r.history()) {
                    Run.Metrics v = e.validation().orElse(null);
                    p.printRecord(r.seed(), r.id(), e.epoch(), g(e.lr()), g(e.loss()), g(e.lossCls()), g(e.lossKd()), g(e.kdLossShare()), g(e.kdGradShare()),
                            g(e.accuracy()), g(e.samplesPerSecond()), g(e.seconds()), v == null ? "" : g(v.eer()), v == null ? "" : g(v.eerLow()),
                            v == null ? "" : g(v.eerHigh()), v == null ? "" : g(v.minDcf05()), v == null ? "" : g(v.minDcf01()),
                            v == null ? "" : v.targets(), v == null ? "" : v.nonTargets());
                }
        });
    }

    public static String runs(List<Arm> arms) {
        return print(RUNS, p -> {
            for (Arm a : arms)
                for (Run r : a.runs()) {
                    Run.Metrics t = r.testBest(), l = r.testLast();
                    p.printRecord(a.experiment(), r.seed(), r.id(), r.fingerprint(), r.commit(), r.parameters(), r.kdLoss(), g(r.alpha()), r.epochs(),
                            t == null ? "" : t.epoch(), r.valBest() == null ? "" : g(r.valBest().eer()), t == null ? "" : g(t.eer()), t == null ? "" : g(t.eerLow()),
                            t == null ? "" : g(t.eerHigh()), t == null ? "" : g(t.minDcf05()), t == null ? "" : g(t.minDcf01()), t == null ? "" : t.targets(),
                            t == null ? "" : t.nonTargets(), l == null ? "" : g(l.eer()), l == null ? "" : g(l.minDcf05()), l == null ? "" : g(l.minDcf01()), g(r.seconds()));
                }
        });
    }

    interface Rows {
        void print(CSVPrinter p) throws IOException;
    }

    private static String print(String[] header, Rows rows) {
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header).setRecordSeparator('\n').get())) {
            rows.print(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static String g(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.8g", v);
    }
}
