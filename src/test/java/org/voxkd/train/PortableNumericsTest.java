package org.voxkd.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Numerics;

/**
 * Portable numerics gives the same bits whatever the machine: a smoke-sized distillation run ({@link PortableProbe}:
 * front-end, student + frozen teacher, KD and AAM losses, Adam; and the label-level KD and confidence-weight kernels)
 * hashes to the committed golden digests on whatever CPU
 * this runs, and to the same digests in a child JVM with another vector shape (128-bit: -XX:UseAVX=1
 * -XX:MaxVectorSize=16) and one kernel thread instead of two. Fast numerics may differ there; the test prints whether
 * it does. (-XX:UseAVX=0 would give 128-bit vectors too, but it also turns off the FMA instructions, so every fma of
 * the Vector API becomes a BigDecimal computation in Java: the probe then runs for minutes.)
 */
class PortableNumericsTest {
    /** The child JVM's shape: 128-bit vectors on x86 (AVX, no AVX2) and elsewhere, one kernel thread. */
    static final List<String> OTHER_SHAPE = List.of("-XX:+IgnoreUnrecognizedVMOptions", "-XX:UseAVX=1", "-XX:MaxVectorSize=16",
            "-Dvoxkd.cpu.threads=1");
    private static final Map<Numerics, PortableProbe.Digests> HERE = new HashMap<>();

    private static synchronized PortableProbe.Digests here(Numerics mode) {
        return HERE.computeIfAbsent(mode, PortableProbe::run);
    }

    private static Map<String, String> golden() throws IOException {
        try (InputStream in = PortableNumericsTest.class.getResourceAsStream("portable-golden.txt")) {
            if (in == null) throw new IOException("portable-golden.txt is missing next to " + PortableNumericsTest.class.getName());
            Map<String, String> m = new HashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 3 && f[0].equals("portable")) m.put(f[1], f[2]);
            }
            return m;
        }
    }

    @Test
    void portableRunHashesToTheGoldenDigestsOnThisCpu() throws IOException {
        Map<String, String> g = golden();
        PortableProbe.Digests d = here(Numerics.PORTABLE);
        String where = " (here: " + PortableProbe.environment() + ")";
        assertEquals(g.get("features"), d.features(), "front-end features of the synthetic waveforms differ from the golden digest" + where);
        assertEquals(g.get("run"), d.run(), "portable training run differs from the golden digest" + where);
        assertEquals(g.get("labelkd"), d.labelKd(), "portable label-level KD and confidence weights differ from the golden digest" + where);
    }

    @Test
    void portableBitsDoNotDependOnVectorShapeOrThreadCount() throws Exception {
        Process p = startChild();
        PortableProbe.Digests portable = here(Numerics.PORTABLE), fast = here(Numerics.FAST); // while the child runs
        Map<String, String> child = finish(p);
        String env = child.get("environment");
        assertTrue(env != null && env.startsWith("128-bit vectors, 1 kernel threads"), "the child JVM runs 128-bit vectors on one thread: " + env);
        String shapes = "here " + PortableProbe.environment() + "; child " + env;
        assertEquals(portable.features(), child.get("portable features"), "portable front-end features differ: " + shapes);
        assertEquals(portable.run(), child.get("portable run"), "portable training run differs: " + shapes);
        assertEquals(portable.labelKd(), child.get("portable labelkd"), "portable label-level KD and confidence weights differ: " + shapes);
        System.out.println("PortableNumericsTest: portable numerics identical (" + portable.run().substring(0, 16) + "…) — " + shapes);
        System.out.println("PortableNumericsTest: fast numerics (allowed to differ) " + (fast.run().equals(child.get("fast run"))
                ? "identical" : "differs: " + fast.run().substring(0, 16) + "… here, " + child.get("fast run").substring(0, 16) + "… in the child"));
    }

    /** PortableProbe in a child JVM with {@link #OTHER_SHAPE}, both modes. */
    private static Process startChild() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(OTHER_SHAPE);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PortableProbe.class.getName(), "portable", "fast"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** The child's output lines as "key → value". */
    private static Map<String, String> finish(Process p) throws IOException, InterruptedException {
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the child JVM did not finish in 300 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IllegalStateException("the child JVM failed (" + p.exitValue() + "):\n" + text);
        Map<String, String> m = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("environment ")) m.put("environment", line.substring("environment ".length()).trim());
            String[] f = line.trim().split(" ");
            if (f.length == 3 && (f[0].equals("portable") || f[0].equals("fast"))) m.put(f[0] + " " + f[1], f[2]);
        }
        return m;
    }
}
