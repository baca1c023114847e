package org.voxkd.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.distill.Terms;
import org.voxkd.report.Report;
import org.voxkd.train.TrainConfig;

/**
 * Every distillation method end to end (profile methods-smoke): each arm trains from its configuration through the
 * reproducer, the ledger records what each distilled from and how, the per-epoch columns follow the schedules and the
 * teachers' mix, and the report has the methods tables, the α × capacity table and its figure.
 */
class MethodsSmokeTest {
    @Test
    void everyMethodTrainsAndIsReported(@TempDir Path tmp) throws IOException {
        Path results = tmp.resolve("results"), out = tmp.resolve("report");
        Profile p = Profile.load(ReproduceSmokeTest.ROOT.resolve("experiments"), "methods-smoke");
        List<ObjectNode> runs = new Reproducer(ReproduceSmokeTest.ROOT, results, p, new InProcessExecutor(ReproduceSmokeTest.QUIET), null, null, false, null,
                ReproduceSmokeTest.QUIET).run();
        assertEquals(p.arms().size(), runs.size());
        Map<String, ObjectNode> by = new HashMap<>();
        for (ObjectNode r : runs) by.put(r.get("experiment").asText(), r);
        assertEquals(by.get("teacher").get("id"), by.get("multiteacher").get("depends_on").get("teachers[0]"));
        assertEquals(by.get("v2-large-nokd").get("id"), by.get("multiteacher").get("depends_on").get("teachers[1]"));
        assertEquals(by.get("v2-cosine").get("id"), by.get("self-r2").get("teacher_run"), "self-distillation reads the student's own earlier round");
        assertEquals(List.of(0.7, 0.5), column(by.get("curriculum"), "alpha"), "piecewise 0.5 → 0.7 → 0.5 over two epochs");
        assertEquals(List.of(0.9, 0.5), column(by.get("ramp"), "alpha"), "linear 0.9 → 0.5");
        for (JsonNode e : by.get("multiteacher").get("history"))
            assertEquals(1.0, e.get("teacher_weight_0").asDouble() + e.get("teacher_weight_1").asDouble(), 1e-5, "confidence weights sum to one");
        for (Terms.Method m : Terms.methods()) {
            String arm = m.smokeArm(), term = m.key();
            assertTrue(by.containsKey(arm), "methods-smoke has no arm " + arm + " for the registered method " + term);
            JsonNode last = by.get(arm).get("history").get(1);
            assertTrue(last.get("loss_" + term).asDouble() > 0 && last.get("param_grad_" + term).asDouble() > 0, arm + ": " + last);
            assertTrue(last.get("kd_param_grad_share").asDouble() > 0, arm + ": " + last);
        }
        assertTrue(by.get("multistage").get("distillation").get("method").asText().startsWith("cosine α 0.4 + stages 0.3"));

        Report.build(results, out, "methods-smoke");
        String methods = Files.readString(out.resolve("tables/methods.md")), grad = Files.readString(out.resolve("tables/methods-gradient.md"));
        List<String> arms = new ArrayList<>(Terms.methods().stream().map(Terms.Method::smokeArm).toList());
        arms.addAll(List.of("curriculum", "ramp", "self-r2", "multiteacher"));
        for (String arm : arms)
            assertTrue(methods.contains("| " + arm + " |") && grad.contains("| " + arm + " |"), arm + " in the methods tables:\n" + methods);
        assertTrue(methods.contains("v2-cosine (self-distillation, round 2)") && methods.contains("teacher + v2-large-nokd"), methods);
        String alpha = Files.readString(out.resolve("tables/alpha-capacity.md"));
        assertTrue(alpha.contains("Fit through the best α") && alpha.contains("(sweep-v2-a04)"), alpha);
        assertTrue(Files.readString(out.resolve("figures/alpha-vs-capacity.svg")).contains("best α"));
        assertTrue(Files.readString(out.resolve("report.md")).contains("## Distillation methods"));
    }

    /** Every arm of profile methods resolves, in an order that trains each teacher first; the grid has the stated ratios. */
    @Test
    void theMethodsProfileResolves() throws IOException {
        Profile p = Profile.load(ReproduceSmokeTest.ROOT.resolve("experiments"), "methods");
        List<String> order = Reproducer.order(p);
        assertTrue(order.indexOf("self-r2") > order.indexOf("v2-cosine") && order.indexOf("self-r3") > order.indexOf("self-r2")
                && order.indexOf("multiteacher") > order.indexOf("v2-large-nokd"), order.toString());
        Map<String, Long> params = new HashMap<>();
        for (String arm : order) {
            ObjectNode tree = p.experiment(arm).tree();
            tree.set("data", new ObjectMapper().createObjectNode().put("train_list", "unused.txt"));
            replaceRuns(tree);
            var cfg = TrainConfig.fromTree(tree, ReproduceSmokeTest.ROOT.resolve("experiments/" + arm + ".yaml"));
            params.put(arm, (long) cfg.buildModel().parameters().parameterCount());
        }
        double teacher = params.get("teacher");
        assertEquals(0.35, params.get("sweep-xs-a02") / teacher, 0.01);
        assertEquals(0.67, params.get("v2-cosine") / teacher, 0.01);
        assertEquals(1.01, params.get("sweep-mid-a02") / teacher, 0.01);
        assertEquals(1.91, params.get("v2-large") / teacher, 0.01);
    }

    static void replaceRuns(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.size() == 1 && o.has("run")) {
                o.removeAll().put("checkpoint", "unused.ckpt");
                return;
            }
            o.elements().forEachRemaining(MethodsSmokeTest::replaceRuns);
        } else if (n != null && n.isArray()) n.elements().forEachRemaining(MethodsSmokeTest::replaceRuns);
    }

    static List<Double> column(JsonNode record, String column) {
        List<Double> v = new java.util.ArrayList<>();
        for (JsonNode e : record.get("history")) v.add(Math.round(e.get(column).asDouble() * 1e6) / 1e6);
        return v;
    }
}
