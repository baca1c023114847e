package org.voxkd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU bundle (make gpu-bundle, which `make test` builds first) runs where there is no Java: each command runs under
 * {@code env -i PATH=/usr/bin:/bin} (no JAVA_HOME, no Maven, and the system's java on that PATH must not be the one
 * used), from a copy of the bundle in a fresh folder (it must not depend on where it was built), with a fresh runtime
 * cache (the first start unpacks the runtime). Checks {@code voxkd --version} (java.home is the bundle's runtime),
 * {@code voxkd devices} (PoCL through the bundle's libOpenCL.so.1 and a private vendors folder), the {@code --small}
 * gpu-check dry run, that the bundle folder is never written, and the launcher's NVIDIA driver discovery.
 * Without a bundle (plain {@code mvn test}) the test is skipped and says why.
 */
class GpuBundleTest {
    static final Path BUILT = Path.of("target", "gpu-bundle").toAbsolutePath();
    @TempDir static Path tmp;
    static Path bundle, cache;

    static final String NO_BUNDLE = "no GPU bundle at target/gpu-bundle: `make test` builds it (make gpu-bundle); a plain `mvn test` skips this test";

    @BeforeAll static void copyBundle() throws IOException {
        if (!Files.isRegularFile(BUILT.resolve("bundle.properties"))) {
            System.err.println("GpuBundleTest skipped: " + NO_BUNDLE);
            return;
        }
        bundle = tmp.resolve("moved bundle");  // a space in the path, as a user's folder may have
        cache = tmp.resolve("cache");
        try (Stream<Path> all = Files.walk(BUILT)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path to = bundle.resolve(BUILT.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    @org.junit.jupiter.api.BeforeEach void requireBundle() {
        assumeTrue(bundle != null, NO_BUNDLE);
    }

    /** Runs a command under env -i with PATH=/usr/bin:/bin and the given extra variables; returns exit code and output. */
    static Result run(int timeoutS, Map<String, String> vars, String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin", "VOXKD_CACHE=" + cache));
        vars.forEach((k, v) -> full.add(k + "=" + v));
        full.addAll(List.of(cmd));
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).directory(tmp.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(timeoutS, TimeUnit.SECONDS), "over " + timeoutS + " s: " + full);
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    record Result(int exit, String out) {}

    static Map<String, Long> listing(Path dir) throws IOException {
        Map<String, Long> m = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) m.put(dir.relativize(p).toString(), Files.isRegularFile(p) ? Files.size(p) : -1);
        }
        return m;
    }

    @Test void versionNamesTheBundlesOwnRuntime() throws Exception {
        Map<String, Long> before = listing(bundle);
        Result r = run(120, Map.of(), bundle.resolve("bin/voxkd").toString(), "--version");
        assertEquals(0, r.exit(), r.out());
        String home = r.out().lines().filter(l -> l.startsWith("java.home ")).findFirst().orElseThrow(() -> new AssertionError(r.out()))
                .substring("java.home ".length()).replaceFirst(" \\(runtime of the GPU bundle .*\\)$", "");
        String sha = Files.readString(bundle.resolve("runtime.sha256")).strip();
        assertEquals(cache.resolve("runtime-" + sha.substring(0, 16)).toString(), home, r.out());
        assertTrue(r.out().contains("(runtime of the GPU bundle " + bundle + ")"), r.out());
        assertNotEquals(Path.of(System.getProperty("java.home")).toRealPath().toString(), home);
        // The jlinked runtime, not a JDK: its release file lists only the bundle's modules, and it has no javac.
        String release = Files.readString(Path.of(home, "release"));
        assertTrue(release.contains("VOXKD_MODULES=") && release.contains("jdk.incubator.vector"), release);
        assertFalse(Files.exists(Path.of(home, "bin", "javac")));
        String runtime = Files.readAllLines(bundle.resolve("bundle.properties")).stream().filter(l -> l.startsWith("java.runtime="))
                .findFirst().orElseThrow().substring("java.runtime=".length()).split(" ")[0];
        assertTrue(r.out().contains("Java " + runtime), "expected Java " + runtime + ":\n" + r.out());
        assertEquals(before, listing(bundle), "the bundle folder was written to");
    }

    @Test void devicesListsPoclThroughTheBundlesLoader() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/etc/OpenCL/vendors/pocl.icd")),
                "PoCL is not installed (make test installs it: make opencl-runtime)");
        Result r = run(120, Map.of(), bundle.resolve("bin/voxkd").toString(), "devices");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("opencl\\s+\\d+\\s+.*platform Portable Computing Language.*")), r.out());
        assertTrue(r.out().contains("opencl loader: " + bundle.resolve("native/libOpenCL.so.1") + ";"), r.out());
        assertTrue(r.out().contains("OCL_ICD_VENDORS=" + cache.resolve("opencl-vendors-")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("opencl vendors: ") && l.contains("pocl.icd=/")), r.out());
    }

    /** tools/gpu_check.py from the bundle on the system's python3, as on a GPU machine: a dry run on PoCL. */
    @Test void smallGpuCheckDryRun() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/etc/OpenCL/vendors/pocl.icd")), "PoCL is not installed (make test installs it)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3 to run tools/gpu_check.py");
        Path summary = tmp.resolve("gpu-check").resolve("summary.json");
        Result r = run(400, Map.of("OPENBLAS_NUM_THREADS", "2"), "/usr/bin/python3", bundle.resolve("tools/gpu_check.py").toString(), "--small",
                "--steps", "version,devices,parity,infer", "--parity-classes", "org.voxkd.kernels.DeterminismTest", "--budget", "360",
                "--out", summary.toString());
        assertEquals(0, r.exit(), r.out());
        JsonNode s = new ObjectMapper().readTree(summary.toFile());
        assertTrue(s.get("ok").asBoolean(), r.out());
        assertFalse(s.get("gpu").asBoolean(), "PoCL is a CPU device: " + r.out());
        assertEquals(bundle.toString(), s.get("bundle").asText());
        assertTrue(s.get("java_home").asText().startsWith(cache.toString()), s.toString());
        assertTrue(s.get("opencl_loader").asText().startsWith(bundle.resolve("native").toString()), s.toString());
        List<String> ok = new ArrayList<>();
        for (JsonNode step : s.get("steps")) if (step.get("status").asText().equals("ok")) ok.add(step.get("step").asText());
        assertEquals(List.of("version", "devices", "parity", "infer"), ok, r.out());
        for (JsonNode step : s.get("steps")) assertTrue(step.has("timeout_s"), "every step runs under its own timeout: " + step);
        JsonNode parity = s.get("steps").get(2).get("result");
        assertTrue(parity.get("succeeded").asInt() > 0 && parity.get("failed").asInt() == 0, parity.toString());
        assertTrue(s.get("steps").get(3).get("result").get("samples_per_s").asDouble() > 0, r.out());
    }

    /** The launcher's driver discovery (tools/opencl-vendors.sh) with a fake driver folder and ICD folder. */
    @Test void nvidiaDriverIsFoundWhereNoIcdFileNamesIt() throws Exception {
        Path drivers = Files.createDirectories(tmp.resolve("nvidia/lib64")), etc = Files.createDirectories(tmp.resolve("etc-vendors"));
        Path lib = Files.writeString(drivers.resolve("libnvidia-opencl.so.550.54.15"), "not a real library");
        Files.writeString(etc.resolve("stale.icd"), "libgone-opencl.so.1\n"); // apt remove leaves such files behind
        Path out = tmp.resolve("vendors-a");
        Result r = run(30, Map.of("VOXKD_DRIVER_DIRS", drivers.toString(), "VOXKD_SYSTEM_ICD_DIR", etc.toString()), "bash",
                bundle.resolve("tools/opencl-vendors.sh").toString(), out.toString());
        assertEquals(0, r.exit(), r.out());
        assertEquals(List.of("voxkd-nvidia.icd"), names(out), r.out());
        assertEquals(lib.toString(), Files.readString(out.resolve("voxkd-nvidia.icd")).strip());
        assertTrue(r.out().contains("library folders: " + drivers), r.out()); // libcuda.so.1 is loaded from there

        // An ICD file that names NVIDIA's library by a bare name: kept (with the path resolved), nothing added.
        Path named = Files.writeString(drivers.resolve("libnvidia-opencl.so.1"), "not a real library");
        Files.delete(etc.resolve("stale.icd"));
        Files.writeString(etc.resolve("nvidia.icd"), "libnvidia-opencl.so.1\n");
        Path out2 = tmp.resolve("vendors-b");
        r = run(30, Map.of("VOXKD_DRIVER_DIRS", drivers.toString(), "VOXKD_SYSTEM_ICD_DIR", etc.toString()), "bash",
                bundle.resolve("tools/opencl-vendors.sh").toString(), out2.toString());
        assertEquals(0, r.exit(), r.out());
        assertEquals(List.of("nvidia.icd"), names(out2), r.out());
        assertEquals(named.toString(), Files.readString(out2.resolve("nvidia.icd")).strip());
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
