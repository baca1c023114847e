package org.voxkd.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.engine.cpu.OpenBlas;
import org.voxkd.ledger.Ledger;

/**
 * `ledger verify` judges a record made in another environment: the smoke profile's v2-cosine arm (with its teacher, one seed)
 * is reproduced in a child
 * JVM whose OpenBLAS is forced onto another core kernel (OPENBLAS_CORETYPE: other GEMM code, other rounding — what
 * another CPU does), then verified here. The bits differ, the environment differs in the OpenBLAS core, and every
 * figure lies within its tolerance: "within tolerance", naming the field. A tampered record (a figure moved outside
 * its interval) is "not reproduced"; the same environment with other bits is reported as a bug.
 *
 * <p>And the other side: a portable-numerics record made in a child JVM with other vectors (128-bit) and another kernel
 * thread count (1), its checkpoints deleted as committed results hold none, is verified here with `voxkd ledger verify`
 * of the student: the command first re-runs the teacher that made the missing checkpoint, then the student from it, and
 * both are "reproduced bit for bit" (exit 0) although the environment differs.
 */
class VerifyAcrossEnvironmentsTest {
    static final Path ROOT = Path.of("").toAbsolutePath();

    @TempDir Path tmp;

    @Test
    void anotherOpenBlasCoreIsWithinToleranceAndNamed() throws Exception {
        String here = OpenBlas.coreName(), other = here.equalsIgnoreCase("Sandybridge") ? "Nehalem" : "Sandybridge";
        Path results = tmp.resolve("results");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "org.voxkd.cli.Main", "reproduce", "--profile", "smoke", "--seeds", "1", "--arms", "v2-cosine", "--results", results.toString(), "--no-report", "--root", ROOT.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile());
        pb.environment().put("OPENBLAS_CORETYPE", other);
        pb.environment().put("VOXKD_GEMM", "openblas"); // the core type decides OpenBLAS's kernels; oneDNN (the default) has its own
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child reproduction timed out");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("child.log"), StandardCharsets.UTF_8));

        ObjectNode cosine = new Ledger(results).records().stream().filter(r -> r.get("experiment").asText().equals("v2-cosine")).findFirst().orElseThrow();
        assertEquals(other, cosine.get("environment").get("openblas_core").asText());
        Verifier.Outcome o = Verifier.verify(cosine, ROOT, results, tmp, ReproduceSmokeTest.QUIET);
        assertTrue(!o.bitDifferences().isEmpty(), "another GEMM kernel rounds differently");
        assertTrue(o.environment().stream().anyMatch(e -> e.startsWith("openblas_core: " + other + " → " + here)), o.environment().toString());
        if (!org.voxkd.engine.cpu.GemmProviders.describe().startsWith("OpenBLAS"))
            assertTrue(o.environment().stream().anyMatch(e -> e.startsWith("gemm: OpenBLAS")), "the GEMM provider is named: " + o.environment());
        assertEquals(Verifier.Verdict.WITHIN_TOLERANCE, o.verdict(), String.join("\n", o.outOfTolerance()) + "\n" + String.join("\n", o.table()));
        assertEquals(3, o.verdict().exitCode);

        // A record whose test EER lies outside what the re-run can give is not reproduced.
        ObjectNode tampered = cosine.deepCopy();
        ObjectNode best = (ObjectNode) tampered.get("test").get("best");
        best.put("eer_ci_low", 0.0).put("eer_ci_high", 0.001).put("eer", 0.0005);
        ObjectNode rerun = (ObjectNode) Ledger.JSON.readTree(tmp.resolve("verify-" + cosine.get("id").asText()).resolve("done.json").toFile());
        Verifier.Outcome bad = Verifier.judge(tampered, rerun, null, null);
        assertEquals(Verifier.Verdict.NOT_REPRODUCED, bad.verdict());
        assertTrue(bad.outOfTolerance().stream().anyMatch(l -> l.startsWith("test best eer")), bad.outOfTolerance().toString());
        // The same environment with other bits is a bug, whatever the tolerance says.
        ObjectNode sameEnv = cosine.deepCopy();
        sameEnv.set("environment", rerun.get("environment"));
        Verifier.Outcome bug = Verifier.judge(sameEnv, rerun, null, null);
        assertEquals(Verifier.Verdict.NOT_REPRODUCED, bug.verdict());
        assertTrue(bug.outOfTolerance().get(0).contains("this is a bug"), bug.outOfTolerance().toString());
        // In portable numerics another machine may not move the bits either: differing bits are a bug there too.
        ObjectNode portable = cosine.deepCopy(), portableRerun = rerun.deepCopy();
        ((ObjectNode) portable.get("config")).put("numerics", "portable");
        ((ObjectNode) portable.get("environment")).put("numerics", "portable");
        ((ObjectNode) portableRerun.get("environment")).put("numerics", "portable");
        Verifier.Outcome p2 = Verifier.judge(portable, portableRerun, null, null);
        assertEquals(Verifier.Verdict.NOT_REPRODUCED, p2.verdict());
        assertTrue(p2.outOfTolerance().get(0).contains("portable numerics"), p2.outOfTolerance().toString());
        assertTrue(p2.environment().stream().anyMatch(e -> e.startsWith("openblas_core:")), p2.environment().toString());
    }

    @Test
    void aPortableRunFromOtherVectorsAndThreadsVerifiesBitForBitWithoutItsCheckpoints() throws Exception {
        Path results = tmp.resolve("portable-results");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "-XX:UseAVX=1", "-XX:MaxVectorSize=16", "-Dvoxkd.cpu.threads=1",
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "org.voxkd.cli.Main", "reproduce", "--profile", "smoke", "--seeds", "1", "--arms", "v2-cosine", "--numerics", "portable",
                "--results", results.toString(), "--no-report", "--no-deploy", "--root", ROOT.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("portable-child.log").toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child reproduction timed out");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("portable-child.log"), StandardCharsets.UTF_8));
        List<ObjectNode> records = new Ledger(results).records();
        ObjectNode cosine = records.stream().filter(r -> r.get("experiment").asText().equals("v2-cosine")).findFirst().orElseThrow();
        ObjectNode teacher = records.stream().filter(r -> r.get("experiment").asText().equals("teacher")).findFirst().orElseThrow();
        assertEquals(128, cosine.get("environment").get("vector_bits").asInt());
        assertEquals(1, cosine.get("environment").get("kernel_threads").asInt());
        try (var files = Files.walk(results)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".ckpt")).toList()) Files.delete(f);
        }
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream was = System.out;
        int rc;
        try {
            System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
            rc = org.voxkd.cli.Main.commandLine().execute("ledger", "verify", cosine.get("id").asText(), "--results", results.toString(), "--root", ROOT.toString());
        } finally {
            System.setOut(was);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("verifying the run that made it (" + teacher.get("id").asText()), out);
        assertTrue(out.contains("run " + teacher.get("id").asText() + " (teacher, seed 1): reproduced bit for bit"), out);
        assertTrue(out.contains("run " + cosine.get("id").asText() + " (v2-cosine, seed 1): reproduced bit for bit"), out);
        assertTrue(out.contains("vector_bits: 128 → " + org.voxkd.engine.cpu.Simd.F.vectorBitSize()) || org.voxkd.engine.cpu.Simd.F.vectorBitSize() == 128, out);
    }
}
