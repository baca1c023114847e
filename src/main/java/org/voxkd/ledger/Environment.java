package org.voxkd.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.voxkd.engine.DeviceInfo;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.cpu.GemmProviders;
import org.voxkd.engine.cpu.OpenBlas;
import org.voxkd.engine.cpu.Parallel;
import org.voxkd.engine.cpu.Simd;

/**
 * What besides code, configuration and data decides a run's bits: the CPU (model and the instruction-set
 * features the kernels and OpenBLAS dispatch on), the JVM (version, the vector width the Vector API uses, the
 * UseAVX setting), OpenBLAS (version and the core kernel it selected at run time), thread counts, and the
 * device of the backend. Recorded with every run; {@code ledger verify} names the fields that differ when a
 * re-run's bits do.
 */
public final class Environment {
    /** CPU features that change which kernels run (and so the rounding), from /proc/cpuinfo's flags. */
    static final Set<String> FLAGS = Set.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq",
            "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8");

    private Environment() {}

    /** The environment of this JVM with the given backend device. */
    public static ObjectNode capture(DeviceInfo device) {
        ObjectNode e = Ledger.JSON.createObjectNode();
        e.put("cpu", cpuModel());
        e.put("cpu_flags", String.join(" ", cpuFlags()));
        e.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        e.put("jdk", "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        e.put("jvm_use_avx", vmOption("UseAVX"));
        e.put("vector_bits", Simd.F.vectorBitSize());
        e.put("kernel_threads", Parallel.threads());
        e.put("openblas", OpenBlas.version());
        e.put("openblas_core", OpenBlas.coreName());
        e.put("blas_threads", System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "default"));
        e.put("backend", device.backend());
        e.put("numerics", Numerics.active().id());
        // which GEMM computes decides the bits in fast numerics (oneDNN or OpenBLAS); portable numerics use voxkd's own
        e.put("gemm", Numerics.active().portable() ? "voxkd PortableGemm" : GemmProviders.describe());
        e.put("device", device.name() + (device.vendor() == null ? "" : " (" + device.vendor() + ", " + device.version() + ")"));
        return e;
    }

    /** Names of the fields whose values differ ("field: recorded → now"), in field order. */
    public static List<String> differences(JsonNode recorded, JsonNode now) {
        List<String> out = new ArrayList<>();
        if (recorded == null || !recorded.isObject()) {
            out.add("environment: not recorded (a record from before environments were kept)");
            return out;
        }
        TreeSet<String> keys = new TreeSet<>();
        recorded.fieldNames().forEachRemaining(keys::add);
        now.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            String a = recorded.path(k).asText("(absent)"), b = now.path(k).asText("(absent)");
            if (!a.equals(b)) out.add(k + ": " + a + " → " + b);
        }
        return out;
    }

    static String cpuModel() {
        for (String line : cpuinfo()) if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
        return System.getProperty("os.arch") + " (model unknown: no /proc/cpuinfo)";
    }

    static List<String> cpuFlags() {
        for (String line : cpuinfo())
            if (line.startsWith("flags")) {
                TreeSet<String> f = new TreeSet<>();
                for (String x : line.substring(line.indexOf(':') + 1).strip().split("\\s+")) if (FLAGS.contains(x)) f.add(x);
                return List.copyOf(f);
            }
        return List.of();
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String vmOption(String name) {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean.getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return "n/a";
        }
    }

    /** The fields of {@code env} as "key value" lines, for printing. */
    public static List<String> describe(JsonNode env) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.add(e.getKey() + ": " + e.getValue().asText());
        }
        return out;
    }
}
