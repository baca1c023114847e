package org.voxkd.engine.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.TaskGraph;
import org.voxkd.kernels.OpenClSupport;
import org.voxkd.kernels.Tensor;

class OpenClBackendTest {
    @Test
    void aFailedBuildReportsTheDriverLogWithFileAndLine() {
        try (Backend b = OpenClSupport.open()) {
            OpenClBackend cl = (OpenClBackend) b;
            String src = "__kernel void ok(__global float* x, int xo) { x[xo] = 1.0f; }\n"
                    + "__kernel void bad(__global float* x, int xo) { x[xo] = no_such_symbol; }\n";
            Programs.OpenClBuildException e = assertThrows(Programs.OpenClBuildException.class, () -> cl.programs().compile("broken", src));
            assertTrue(e.getMessage().contains("broken.cl:2:"), e.getMessage());
            assertTrue(e.getMessage().contains("no_such_symbol"), e.getMessage());
        }
    }

    @Test
    void dataStaysOnTheDeviceAcrossExecutionsAndGraphs() {
        try (Backend b = OpenClSupport.open()) {
            Buffer acc = new Buffer("acc", 37), one = new Buffer("one", 37);
            TaskGraph init = new TaskGraph("init");
            Tensor.fill(init, one.all(), 1.5f);
            TaskGraph add = new TaskGraph("add");
            Tensor.add(add, acc.all(), one.all());
            try (ExecutionPlan plan = new ExecutionPlan(b, init.snapshot(), add.snapshot())) {
                plan.execute(0);
                for (int i = 0; i < 4; i++) plan.execute(1);
                float[] out = plan.read(acc.all());
                for (float v : out) assertEquals(6f, v);
            }
        }
    }

    /** No OpenCL platform: a specific error naming what to install, and the cpu backend unaffected. */
    @Test
    void missingPlatformGivesASpecificErrorAndCpuStillWorks(@TempDir Path empty) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "org.voxkd.cli.Main", "devices"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OCL_ICD_VENDORS", empty.toString()); // the ICD loader then finds no driver
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("opencl   -   unavailable: no OpenCL platform found"), out);
        assertTrue(out.contains("pocl-opencl-icd"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("cpu ")), out);
        Files.list(empty).close();
    }
}
