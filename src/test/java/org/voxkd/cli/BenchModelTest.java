package org.voxkd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.voxkd.bench.FlopCount;
import org.voxkd.bench.ModelBench;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.TeacherConfig;
import picocli.CommandLine;

/** `voxkd bench train|infer --json` at toy sizes: one JSON line whose figures agree with each other and with FlopCount. */
class BenchModelTest {
    static JsonNode json(String... args) throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute(args), err.toString());
        String[] lines = out.toString().strip().split("\n");
        assertEquals(1, lines.length, out.toString());
        return new ObjectMapper().readTree(lines[0]);
    }

    static void checkFigures(JsonNode j, int batch, int frames, double flopsPerSample) {
        assertEquals("cpu", j.get("backend").asText());
        assertEquals(Parallel.threads(), j.get("threads").asInt());
        assertEquals(batch, j.get("batch").asInt());
        assertEquals(frames, j.get("frames").asInt());
        assertEquals(1, j.get("reps").asInt());
        double ms = j.get("ms_per_step").asDouble(), sps = j.get("samples_per_s").asDouble();
        assertTrue(ms > 0);
        assertEquals(batch / (ms / 1e3), sps, 1e-9 * sps);
        assertEquals(flopsPerSample, j.get("flops_per_sample").asDouble());
        assertEquals(flopsPerSample * sps / 1e9, j.get("gflops").asDouble(), 1e-9 * j.get("gflops").asDouble());
    }

    @Test
    void trainAtToySize() throws Exception {
        JsonNode j = json("bench", "train", "--json", "--batch", "2", "--frames", "8", "--reps", "1", "--warmup", "0");
        assertEquals("train", j.get("bench").asText());
        checkFigures(j, 2, 8, FlopCount.trainStep(StudentConfig.v2(), TeacherConfig.standard(), ModelBench.CLASSES, 8));
    }

    @Test
    void inferAtToySize() throws Exception {
        JsonNode j = json("bench", "infer", "--json", "--batch", "1", "--frames", "8", "--reps", "1");
        assertEquals("infer", j.get("bench").asText());
        checkFigures(j, 1, 8, FlopCount.inference(StudentConfig.v2(), 8));
    }
}
