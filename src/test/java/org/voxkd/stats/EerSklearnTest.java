package org.voxkd.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** EER, its threshold and minDCF against scikit-learn's roc_curve (tools/gen_eer_fixtures.py), ties included. */
class EerSklearnTest {
    @Test
    void matchesScikitLearn() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/eval/eer_sklearn.json")) {
            doc = new ObjectMapper().readTree(in);
        }
        int n = 0;
        for (JsonNode c : doc.get("cases")) {
            double[] s = new double[c.get("scores").size()];
            int[] l = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = c.get("scores").get(i).asDouble();
                l[i] = c.get("labels").get(i).asInt();
            }
            Eer.Result r = Eer.compute(s, l);
            assertEquals(c.get("eer").asDouble(), r.eer(), 1e-12, "EER of case " + n);
            assertEquals(c.get("threshold").asDouble(), r.threshold(), 1e-12, "threshold of case " + n);
            assertEquals(c.get("min_dcf_005").asDouble(), r.minDcf05(), 1e-12, "minDCF(0.05) of case " + n);
            assertEquals(c.get("min_dcf_001").asDouble(), r.minDcf01(), 1e-12, "minDCF(0.01) of case " + n);
            n++;
        }
        assertEquals(4, n);
    }
}
