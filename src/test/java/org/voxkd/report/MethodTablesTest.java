package org.voxkd.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distillation-methods section on synthetic results whose effects are known (the scores of ReportTest: each arm
 * separates targets by its own d'): a method clearly better than cosine KD, and an α × capacity grid whose best α falls
 * with the capacity ratio — 0.8, 0.8, 0.5, 0.2 at r ≈ 0.37, 0.75, 1.49, 2.98.
 */
class MethodTablesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    static final long TEACHER = 268_000;
    static final long[] SIZES = {100_000, 200_000, 400_000, 800_000};
    static final double[] BEST = {0.8, 0.8, 0.5, 0.2}, ALPHAS = {0.2, 0.5, 0.8};

    Path fixture(boolean withMethods) throws IOException {
        Path res = tmp.resolve("results-" + withMethods);
        Files.createDirectories(res);
        StringBuilder l = new StringBuilder();
        for (long s = 1; s <= 3; s++) {
            ReportTest.run(res, l, "teacher", s, "code", "none", 0, TEACHER, 2.6, 1, 0, false);
            for (int i = 0; i < SIZES.length; i++)
                for (double a : ALPHAS)
                    ReportTest.run(res, l, "sweep-" + i + "-a" + a, s, "code", "cosine", a, SIZES[i], 2.2 - 2.0 * Math.abs(a - BEST[i]), 10 + i * 3, 0, false);
            if (withMethods) {
                ReportTest.run(res, l, "v2-cosine", s, "code", "cosine", 0.7, 180_000, 1.8, 2, 0, false);
                ReportTest.run(res, l, "v2-nokd", s, "code", "none", 0, 180_000, 1.7, 3, 0, false);
                ReportTest.run(res, l, "better", s, "code", "cosine", 0.4, 180_000, 2.4, 4, 0, false);
                ReportTest.run(res, l, "self-r2", s, "code", "cosine", 0.7, 180_000, 1.8, 2, 0.02, false);
            }
        }
        // The records the pipeline writes name each run's method and what it read.
        StringBuilder out = new StringBuilder();
        for (String line : l.toString().split("\n")) {
            ObjectNode r = (ObjectNode) JSON.readTree(line);
            String e = r.get("experiment").asText(), seed = r.get("seed").asText();
            ObjectNode kd = (ObjectNode) r.get("distillation");
            if (!kd.get("loss").asText().equals("none")) {
                String teacher = e.equals("self-r2") ? "v2-cosine" : "teacher";
                r.put("teacher_run", teacher + "-s" + seed + "-code");
                kd.put("method", e.equals("better") ? "cosine α 0.4 + stages 0.3 (loss cosine, align frame, 3 pairs)" : "cosine α " + kd.get("alpha").asDouble());
            }
            out.append(JSON.writeValueAsString(r)).append('\n');
        }
        Files.createDirectories(res.resolve("profiles"));
        Files.writeString(res.resolve("profiles/methods.json"), "{\"profile\":\"methods\",\"seeds\":[1,2,3],\"analysis\":{\"equivalence_margin_eer\":0.5,\"resamples\":200}}");
        // ReportTest's records say profile "default"
        Files.writeString(res.resolve("ledger.jsonl"), out.toString().replace("\"profile\":\"default\"", "\"profile\":\"methods\""));
        return res;
    }

    @Test
    void theBestAlphaPerCapacityRatioAndItsFit() throws IOException {
        Results res = Results.load(fixture(false), "methods");
        MethodTables m = new MethodTables(res, new Compare(res));
        MethodTables.Grid g = m.grid();
        assertEquals(4, g.cells().size());
        MethodTables.Analysis an = m.analyse(g);
        for (int i = 0; i < SIZES.length; i++) {
            assertEquals(BEST[i], an.best()[i], 1e-9, "best α at r = " + SIZES[i] / (double) TEACHER);
            assertTrue(an.bestCi()[i].low() <= BEST[i] && BEST[i] <= an.bestCi()[i].high(), an.bestCi()[i].toString());
        }
        assertTrue(an.fit()[1] < -0.1 && an.b95().high() < 0, "the best α falls with capacity: slope " + an.fit()[1] + " " + an.b95());
        assertTrue(an.bSeeds95().defined(), "three seeds give a slope interval over seeds");
        Table t = m.alphaCapacity(g);
        assertEquals("0.80", t.rows().get(0).get(t.header().indexOf("Best α")));
        assertEquals("1.00", t.rows().get(0).get(t.header().indexOf("Rule α(r)")), "the rule, clipped to 1 below r ≈ 0.76");
        assertTrue(t.notes().get(0).startsWith("Fit through the best α: α* = "), t.notes().toString());
        assertTrue(m.figure().orElseThrow().svg().contains("rule 0.9 − 0.5·log₂ r"));
        assertTrue(m.tables().stream().noneMatch(x -> x.id().equals("methods")), "no method arm: no methods table");
    }

    @Test
    void aMethodIsComparedWithCosineKdAndWithNoKdOfItsSize() throws IOException {
        Results res = Results.load(fixture(true), "methods");
        MethodTables m = new MethodTables(res, new Compare(res));
        List<String> ids = m.tables().stream().map(Table::id).toList();
        assertEquals(List.of("methods", "methods-gradient", "alpha-capacity"), ids);
        Table t = m.methods();
        assertEquals("v2-cosine", t.cell("better", "KD reference"));
        assertEquals("A better", t.cell("better", "Verdict vs KD"));
        assertEquals("A better", t.cell("better", "Verdict vs control"));
        assertEquals("reference", t.cell("v2-cosine", "Verdict vs KD"));
        assertEquals("v2-cosine (self-distillation, round 2)", t.cell("self-r2", "Teacher"));
        assertFalse(t.rows().stream().anyMatch(r -> r.get(0).startsWith("sweep-")), "plain cosine arms form the grid, not method rows");
    }
}
