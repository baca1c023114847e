package org.voxkd.cli;

import java.util.ArrayList;
import java.util.List;
import org.voxkd.engine.DeviceInfo;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.engine.opencl.OpenClDevices;
import picocli.CommandLine.Command;

/** `voxkd devices`: every backend and its devices with memory and compute units. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List backends and their devices.")
public final class DevicesCommand implements Runnable {
    @Override public void run() {
        List<DeviceInfo> rows = new ArrayList<>();
        rows.add(CpuBackend.describe());
        String openclNote = null;
        try {
            for (OpenClDevices.Found f : OpenClDevices.list()) rows.add(f.info());
        } catch (OpenClDevices.OpenClUnavailableException e) {
            openclNote = e.getMessage();
        }
        System.out.printf("%-8s %-3s %-44s %12s %6s  %s%n", "backend", "#", "device", "memory", "units", "details");
        for (DeviceInfo d : rows)
            System.out.printf("%-8s %-3d %-44s %12s %6d  %s; %s%n", d.backend(), d.index(), truncate(d.name(), 44),
                    gib(d.globalMemoryBytes()), d.computeUnits(), d.vendor() + " " + d.version(), d.detail());
        if (openclNote != null) System.out.println("opencl   -   unavailable: " + openclNote);
        String loader = openclLoader();
        if (loader != null || System.getenv("OCL_ICD_VENDORS") != null)
            System.out.println("opencl loader: " + (loader == null ? "not loaded" : loader) + "; OCL_ICD_VENDORS="
                    + System.getenv().getOrDefault("OCL_ICD_VENDORS", "(unset: /etc/OpenCL/vendors)"));
        // The GPU bundle's launcher says which drivers it found and where it looked for NVIDIA's (tools/gpu-bundle).
        String vendors = System.getenv("VOXKD_OPENCL_VENDORS_NOTE");
        if (vendors != null && !vendors.isBlank()) System.out.println("opencl vendors: " + vendors);
    }

    /** The file of the OpenCL ICD loader this process loaded (from /proc/self/maps on Linux), or null. */
    static String openclLoader() {
        try (java.util.stream.Stream<String> maps = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/self/maps"))) {
            // address perms offset dev inode path: the path is the sixth field and may hold spaces.
            return maps.map(l -> l.split("\\s+", 6)).filter(f -> f.length == 6 && f[5].matches(".*/libOpenCL\\.so(\\.[0-9.]+)?"))
                    .map(f -> f[5]).findFirst().orElse(null);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    static String gib(long bytes) { return String.format("%.1f GiB", bytes / (double) (1L << 30)); }

    static String truncate(String s, int n) { return s.length() <= n ? s : s.substring(0, n - 1) + "…"; }
}
