package org.voxkd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.cpu.CpuBackend;

/** `voxkd bench profile` on methods-smoke: one row per arm, each arm's steps at its own shapes, positive figures. */
class ProfileBenchTest {
    @Test
    void everyArmOfAProfileIsTimedAgainstTheReference() throws IOException {
        StringWriter log = new StringWriter();
        try (CpuBackend cpu = new CpuBackend()) {
            List<ProfileBench.Row> rows = ProfileBench.run(cpu, Path.of("experiments").toAbsolutePath(), "methods-smoke", "v2-cosine", 12, 8, 1, 50,
                    new PrintWriter(log));
            assertEquals(14, rows.size(), log.toString());
            for (ProfileBench.Row r : rows)
                assertTrue(r.cpuMsPerStep() > 0 && r.ratio() > 0 && Double.isFinite(r.estimatedSeconds()), r.toString());
            ProfileBench.Row teacher = rows.get(0);
            assertEquals("teacher", teacher.arm());
            assertEquals(16, teacher.batch());
        }
    }
}
