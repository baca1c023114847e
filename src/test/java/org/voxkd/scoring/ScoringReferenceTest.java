package org.voxkd.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.voxkd.stats.Eer;

/**
 * The scoring back-end against independent references (tools/gen_scoring_fixtures.py: scikit-learn, numpy, scipy):
 * AS-norm, calibration, Cllr, minCllr, actual and minimum DCF within 1e-6; the EER threshold, FAR/FRR at a threshold and
 * the DET points exactly (ratios of the same counts), the EER to one rounding (1e-12).
 */
class ScoringReferenceTest {
    static JsonNode doc;
    static final double TOL = 1e-6;
    /** The largest deviation seen per quantity, printed for the record. */
    static final java.util.Map<String, Double> worst = new java.util.TreeMap<>();

    static void near(double want, double got, String quantity, String what) {
        worst.merge(quantity, Math.abs(want - got), Math::max);
        assertEquals(want, got, TOL, what);
    }

    @org.junit.jupiter.api.AfterAll
    static void print() {
        System.out.println("largest deviation from the references: " + worst);
    }

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = ScoringReferenceTest.class.getResourceAsStream("/fixtures/scoring/scoring_reference.json")) {
            doc = new ObjectMapper().readTree(in);
        }
    }

    static double[] d(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asDouble();
        return v;
    }

    static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asInt();
        return v;
    }

    static float[][] matrix(JsonNode a) {
        float[][] m = new float[a.size()][];
        for (int i = 0; i < m.length; i++) {
            double[] r = d(a.get(i));
            m[i] = new float[r.length];
            for (int j = 0; j < r.length; j++) m[i][j] = (float) r[j];
        }
        return m;
    }

    static List<Cost> costs() {
        List<Cost> c = new ArrayList<>();
        for (JsonNode x : doc.get("costs")) c.add(new Cost(x.get(0).asDouble(), x.get(1).asDouble(), x.get(2).asDouble()));
        return c;
    }

    @Test
    void calibrationCllrMinCllrDcfAndRatesMatchTheReferences() {
        List<Cost> costs = costs();
        int n = 0;
        for (JsonNode c : doc.get("cases")) {
            String name = c.get("name").asText();
            double[] vs = d(c.get("val_scores")), ts = d(c.get("test_scores"));
            int[] vy = ints(c.get("val_labels")), ty = ints(c.get("test_labels"));
            LinearCalibration cal = LinearCalibration.fit(vs, vy, doc.get("prior").asDouble());
            near(c.get("calibration_scale").asDouble(), cal.scale(), "calibration scale", name + ": calibration scale (sklearn LogisticRegression)");
            near(c.get("calibration_offset").asDouble(), cal.offset(), "calibration offset", name + ": calibration offset");
            Evaluation e = Evaluation.of("raw", ts, ty, vs, vy, costs, doc.get("prior").asDouble());
            near(c.get("cllr").asDouble(), e.cllr(), "Cllr", name + ": Cllr");
            near(c.get("min_cllr").asDouble(), e.minCllr(), "minCllr", name + ": minCllr (sklearn IsotonicRegression)");
            for (int k = 0; k < costs.size(); k++) {
                near(c.get("min_dcf").get(k).asDouble(), e.minDcf()[k], "minDCF", name + ": minDCF at " + costs.get(k));
                near(c.get("actual_dcf").get(k).asDouble(), e.actualDcf()[k], "actual DCF", name + ": actual DCF at " + costs.get(k));
            }
            // the same count ratio; sklearn forms 1 − tp/P where voxkd forms (P − tp)/P: one rounding apart at most
            assertEquals(c.get("eer").asDouble(), e.eer().eer(), 1e-12, name + ": EER");
            assertEquals(c.get("val_eer_threshold").asDouble(), e.validationThreshold(), 0, name + ": validation EER threshold");
            assertEquals(c.get("far_at_val").asDouble(), e.atValidationThreshold().far(), 0, name + ": FAR at the validation threshold");
            assertEquals(c.get("frr_at_val").asDouble(), e.atValidationThreshold().frr(), 0, name + ": FRR at the validation threshold");
            assertArrayEquals(d(c.get("det_far")), e.det().far(), 0, name + ": DET false-alarm rates (sklearn det_curve)");
            assertArrayEquals(d(c.get("det_frr")), e.det().frr(), 0, name + ": DET miss rates");
            assertArrayEquals(d(c.get("det_threshold")), e.det().threshold(), 0, name + ": DET thresholds");
            // the text names every cost with its minDCF
            String text = String.join("\n", e.lines());
            for (Cost k : costs) assertTrue(text.contains("(" + k + ")"), text);
            n++;
        }
        assertEquals(3, n);
    }

    @Test
    void asNormMatchesNumpy() {
        JsonNode a = doc.get("asnorm");
        float[][] cohort = matrix(a.get("cohort")), emb = matrix(a.get("embeddings"));
        double[] raw = d(a.get("raw"));
        var it = a.get("normalised").fields();
        int n = 0;
        while (it.hasNext()) {
            var e = it.next();
            int top = Integer.parseInt(e.getKey());
            AsNorm norm = new AsNorm(cohort, top);
            double[] want = d(e.getValue());
            for (int k = 0; k < want.length; k++) {
                int i = a.get("pairs").get(k).get(0).asInt(), j = a.get("pairs").get(k).get(1).asInt();
                double s = AsNorm.dot(emb[i], emb[j]);
                assertEquals(raw[k], s, 1e-12, "raw score of pair " + k);
                near(want[k], AsNorm.normalise(s, norm.stats(emb[i]), norm.stats(emb[j])), "AS-norm", "AS-norm top-" + top + " of pair " + k);
            }
            n++;
        }
        assertEquals(2, n);
        assertThrows(IllegalArgumentException.class, () -> new AsNorm(cohort, 1));
        assertThrows(IllegalArgumentException.class, () -> new AsNorm(cohort, cohort.length + 1));
    }

    @Test
    void probitMatchesScipy() {
        double[] p = d(doc.get("probit").get("p")), want = d(doc.get("probit").get("ppf"));
        for (int i = 0; i < p.length; i++) assertEquals(want[i], Det.probit(p[i]), 1e-9 * Math.max(1, Math.abs(want[i])), "probit(" + p[i] + ")");
    }

    @Test
    void minDcfAtDefaultCostsAgreesWithEer() {
        JsonNode c = doc.get("cases").get(1); // ties
        double[] s = d(c.get("test_scores"));
        int[] y = ints(c.get("test_labels"));
        Eer.Result r = Eer.compute(s, y);
        Detection det = new Detection(s, y);
        assertEquals(r.minDcf05(), det.minDcf(Cost.DEFAULTS.get(0)).value(), 1e-12);
        assertEquals(r.minDcf01(), det.minDcf(Cost.DEFAULTS.get(1)).value(), 1e-12);
    }

    @Test
    void separableCalibrationDataIsRefusedNotExtrapolated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinearCalibration.fit(new double[] {0.1, 0.2, 0.8, 0.9}, new int[] {0, 0, 1, 1}, 0.5));
        assertTrue(e.getMessage().contains("separate targets from non-targets"), e.getMessage());
    }

    @Test
    void detCurveWritesSvgAndPgf() {
        JsonNode c = doc.get("cases").get(0);
        Det.Curve curve = Det.of("test_1", new Detection(d(c.get("test_scores")), ints(c.get("test_labels"))));
        String svg = Det.svg("DET", List.of(curve)), pgf = Det.pgf("DET", List.of(curve));
        assertTrue(svg.startsWith("<svg") && svg.contains("<polyline") && svg.strip().endsWith("</svg>"), svg);
        assertTrue(pgf.contains("\\addplot") && pgf.contains("test\\_1") && pgf.contains("\\end{tikzpicture}"), pgf);
        String plot = pgf.lines().filter(l -> l.startsWith("\\addplot")).findFirst().orElseThrow();
        assertEquals(curve.far().length, plot.split(" \\(", -1).length - 1, "one coordinate per DET point");
    }
}
