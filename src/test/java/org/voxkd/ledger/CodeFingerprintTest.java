package org.voxkd.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run identity comes from what computes: documentation, tests, results and the report generator leave every run id
 * alone; a kernel or engine edit — committed, dirty or a new untracked file — changes it; the same tree gives the same
 * fingerprint wherever it lies (a checkout, a copy, a tarball).
 */
class CodeFingerprintTest {
    @TempDir Path tmp;

    static Path tree(Path root) throws IOException {
        write(root, "pom.xml", "<project/>");
        write(root, "README.md", "# voxkd");
        write(root, "tornado-kernels/activation.cl", "__kernel void gelu() {}");
        write(root, "src/main/java/org/voxkd/kernels/Activation.java", "class Activation {}");
        write(root, "src/main/java/org/voxkd/report/Tables.java", "class Tables {}");
        write(root, "src/main/resources/report/original-results.json", "{}");
        write(root, "src/test/java/org/voxkd/SomeTest.java", "class SomeTest {}");
        write(root, "results/ledger.jsonl", "");
        return root;
    }

    static void write(Path root, String rel, String text) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    static String id(String fingerprint) throws IOException {
        ObjectNode cfg = Ledger.JSON.createObjectNode().put("experiment", "v2-cosine");
        return RunId.of(cfg, 1, fingerprint, "datahash", "cpu");
    }

    @Test
    void onlyCodeThatComputesChangesTheRunId() throws IOException {
        Path a = tree(tmp.resolve("a"));
        String base = CodeFingerprint.of(a);
        assertEquals(base, CodeFingerprint.of(tree(tmp.resolve("copy"))), "the same files elsewhere: the same fingerprint");
        write(a, "README.md", "# voxkd, now with more words");
        write(a, "src/test/java/org/voxkd/SomeTest.java", "class SomeTest { int x; }");
        write(a, "results/ledger.jsonl", "{}\n");
        write(a, "src/main/java/org/voxkd/report/Tables.java", "class Tables { int prettier; }");
        write(a, "src/main/resources/report/original-results.json", "{\"a\":1}");
        assertEquals(base, CodeFingerprint.of(a), "docs, tests, results and the report generator do not compute runs");
        assertEquals(id(base), id(CodeFingerprint.of(a)));
        write(a, "tornado-kernels/activation.cl", "__kernel void gelu() { /* faster */ }");
        String kernel = CodeFingerprint.of(a);
        assertNotEquals(base, kernel, "a kernel edit is new code");
        assertNotEquals(id(base), id(kernel));
        write(a, "src/main/java/org/voxkd/kernels/Fused.java", "class Fused {}");
        assertNotEquals(kernel, CodeFingerprint.of(a), "an untracked new source file counts");
        write(a, "pom.xml", "<project><!-- another OpenBLAS --></project>");
        assertNotEquals(kernel, CodeFingerprint.of(a), "dependency versions decide bits");
    }

    @Test
    void aStaleBuildIsRefused() throws IOException {
        Path a = tree(tmp.resolve("stale"));
        if (CodeFingerprint.built() == null) return; // built outside Maven: nothing recorded to compare with
        IOException e = assertThrows(IOException.class, () -> CodeFingerprint.checked(a));
        assertTrue(e.getMessage().contains("rebuild"), e.getMessage());
        IOException none = assertThrows(IOException.class, () -> CodeFingerprint.of(tmp.resolve("nothing-here")));
        assertTrue(none.getMessage().contains("holds no voxkd sources"), none.getMessage());
    }

    @Test
    void theBuildRecordsTheFingerprintOfThisTree() throws IOException {
        String built = CodeFingerprint.built();
        if (built == null) return;
        assertEquals(CodeFingerprint.of(Path.of("").toAbsolutePath()), built, "target/classes was built from these sources");
    }
}
