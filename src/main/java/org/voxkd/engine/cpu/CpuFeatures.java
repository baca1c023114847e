package org.voxkd.engine.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The instruction-set flags of this machine's CPU (Linux /proc/cpuinfo), for choosing kernels and precisions. */
public final class CpuFeatures {
    private CpuFeatures() {}

    private static final Set<String> FLAGS = read(Path.of("/proc/cpuinfo"));
    private static final String MODEL = model(Path.of("/proc/cpuinfo"));

    /** The flags of the first processor in {@code cpuinfo} (empty when the file is missing or unreadable). */
    static Set<String> read(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo))
                if (line.startsWith("flags")) return new TreeSet<>(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
        } catch (IOException | RuntimeException e) {
            // not Linux, or no permission: no flags known
        }
        return Set.of();
    }

    private static String model(Path cpuinfo) {
        try {
            for (String line : Files.readAllLines(cpuinfo))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return System.getProperty("os.arch");
    }

    public static boolean has(String flag) { return FLAGS.contains(flag); }

    /** The CPU's model name. */
    public static String model() { return MODEL; }

    /** Native bf16 dot products: AVX512-BF16 or AMX-BF16 (what oneDNN's bf16 kernels need). */
    public static boolean bf16() { return hasBf16(FLAGS); }

    static boolean hasBf16(Set<String> flags) { return flags.contains("avx512_bf16") || flags.contains("amx_bf16"); }

    /** The vector and matrix extensions present, for messages ("avx2 fma" on a machine without AVX-512). */
    public static String summary() { return summary(FLAGS); }

    static String summary(Set<String> flags) {
        List<String> of = List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8");
        String s = String.join(" ", of.stream().filter(flags::contains).toList());
        return s.isEmpty() ? "none of " + String.join("/", of) : s;
    }
}
