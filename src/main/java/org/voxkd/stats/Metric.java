package org.voxkd.stats;


/** The detection figures a comparison can be made on (fractions, as {@link Eer.Result} holds them). */
public enum Metric {
    EER("EER"), MIN_DCF_005("minDCF(0.05)"), MIN_DCF_001("minDCF(0.01)");

    public final String label;

    Metric(String label) { this.label = label; }

    public double of(Eer.Result r) {
        return switch (this) {
            case EER -> r.eer();
            case MIN_DCF_005 -> r.minDcf05();
            case MIN_DCF_001 -> r.minDcf01();
        };
    }
}
