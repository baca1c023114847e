package org.voxkd.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.cli.Main;
import org.voxkd.data.Lists;
import org.voxkd.data.SynthVox;
import org.voxkd.train.ModelFiles;
import picocli.CommandLine;

/**
 * `voxkd export`, `voxkd import` and `voxkd deploy-study` end to end on the briefly trained student: every precision
 * exported and checked, the safetensors round trip back into a checkpoint, and the study's files on a short trial list.
 */
class DeploymentCommandsTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run voxkd(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void exportEveryPrecisionAndImportSafetensorsBack() throws Exception {
        Path ckpt = TrainedStudent.checkpoint();
        SynthVox.Manifest c = TrainedStudent.corpus();
        for (String q : List.of("fp32", "fp16", "int8-static", "int8-dynamic")) {
            Path f = dir.resolve(q + ".onnx");
            Run r = q.equals("fp32") ? voxkd("export", "--checkpoint", ckpt.toString(), "--out", f.toString())
                    : voxkd("export", "--checkpoint", ckpt.toString(), "--out", f.toString(), "--quantize", q, "--calibration", "16",
                    "--train-list", c.trainList().toString(), "--root", c.wavRoot().toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains(q + ", " + String.format("%,d", Files.size(f)) + " bytes"), r.out());
            assertTrue(r.out().contains("ONNX Runtime vs voxkd on 4 random crops"), r.out());
        }
        Run bad = voxkd("export", "--checkpoint", ckpt.toString(), "--out", dir.resolve("x").toString(), "--quantize", "int4");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown precision 'int4'"), bad.err());
        bad = voxkd("export", "--checkpoint", ckpt.toString(), "--format", "safetensors", "--out", dir.resolve("x").toString(), "--quantize", "fp16");
        assertTrue(bad.err().contains("--quantize applies to --format onnx only"), bad.err());

        Path st = dir.resolve("w.safetensors"), back = dir.resolve("back.ckpt"), back2 = dir.resolve("back2.ckpt"), yaml = dir.resolve("m.yaml");
        assertEquals(0, voxkd("export", "--checkpoint", ckpt.toString(), "--format", "safetensors", "--out", st.toString()).code());
        Run imp = voxkd("import", "--safetensors", st.toString(), "--like", ckpt.toString(), "--out", back.toString());
        assertEquals(0, imp.code(), imp.err());
        Files.writeString(yaml, "model: {kind: student, hidden: 32, blocks: 2, expansion: 3, groups: 4, embedding: 48}\n");
        assertEquals(0, voxkd("import", "--safetensors", st.toString(), "--config", yaml.toString(), "--out", back2.toString()).code());
        ModelFiles.Loaded a = ModelFiles.load(ckpt), b = ModelFiles.load(back), b2 = ModelFiles.load(back2);
        for (ModelFiles.Loaded x : List.of(b, b2)) {
            assertArrayEquals(a.weights()[0], x.weights()[0]);
            assertArrayEquals(a.weights()[1], x.weights()[1]);
        }
        assertEquals(a.meta().get("classes"), b.meta().get("classes"), "--like keeps the class names");
        assertEquals(st.toAbsolutePath().normalize().toString(), b.meta().get("provenance").get("imported_from").asText());
        // A network that does not fit the weights: a clear error naming the file.
        Files.writeString(yaml, "model: {kind: student, hidden: 32, blocks: 3, expansion: 3, groups: 4, embedding: 48}\n");
        Run wrong = voxkd("import", "--safetensors", st.toString(), "--config", yaml.toString(), "--out", dir.resolve("no.ckpt").toString());
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains(st + " does not match the student model") && wrong.err().contains("missing tensors: [blocks.2."), wrong.err());
        assertTrue(!Files.exists(dir.resolve("no.ckpt")));
    }

    @Test
    void deployStudyWritesScoresSizesAndSpeeds() throws Exception {
        SynthVox.Manifest c = TrainedStudent.corpus();
        List<Lists.Trial> trials = Lists.readTrialList(c.testTrials()).subList(0, 24);
        Path list = dir.resolve("trials.txt"), out = dir.resolve("study");
        Lists.writeTrialList(list, trials);
        DeployStudy.Options o = new DeployStudy.Options(TrainedStudent.checkpoint(), list, c.wavRoot(), c.trainList(), c.wavRoot(), 16, 100, 1,
                3, 100, 2, 2, 4, 50, 2, 0, 1, false);
        DeployStudy.run(o, out, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        JsonNode s = new ObjectMapper().readTree(out.resolve(DeployStudy.SUMMARY).toFile());
        assertEquals(24, s.get("trial_count").asInt());
        assertEquals(4, s.get("variants").size());
        List<String> voxkdLines = Files.readAllLines(out.resolve("scores-voxkd.txt"));
        assertEquals(24, voxkdLines.size());
        for (JsonNode v : s.get("variants")) {
            String label = v.get("variant").asText();
            assertEquals(Files.size(out.resolve(label + ".onnx")), v.get("bytes").asLong(), label);
            List<String> lines = Files.readAllLines(out.resolve(v.get("scores").asText()));
            assertEquals(24, lines.size(), label);
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).split(" "), g = voxkdLines.get(i).split(" ");
                assertEquals(4, f.length, lines.get(i));
                assertEquals(g[0] + g[2] + g[3], f[0] + f[2] + f[3], "label, enroll and test as in the trial list");
            }
            assertTrue(v.get("samples_per_second").asDouble() > 0, label);
            assertEquals(1, v.get("seconds").size());
            double bound = label.equals("fp32") ? 1e-5 : label.equals("fp16") ? 1e-3 : 0.1;
            assertTrue(v.get("max_abs_score_difference_to_voxkd").asDouble() < bound, label + ": " + v);
        }
        assertTrue(!s.has("paper_models"));
    }

    @Test
    void ortBenchTimesEveryRep() throws Exception {
        RandomModels.Weighted w = RandomModels.student(RandomModels.smallStudent(), 1);
        OrtBench.Result r = OrtBench.run(OnnxParityTest.fp32(w), "small", 3, 40, 1, 1, 3);
        assertEquals(3, r.seconds().length);
        double[] sorted = r.seconds().clone();
        java.util.Arrays.sort(sorted);
        assertEquals(sorted[1], r.medianSeconds());
        assertEquals(3 / sorted[1], r.samplesPerSecond(), 1e-9);
    }
}
