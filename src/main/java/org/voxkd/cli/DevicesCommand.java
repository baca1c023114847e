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
    }

    static String gib(long bytes) { return String.format("%.1f GiB", bytes / (double) (1L << 30)); }

    static String truncate(String s, int n) { return s.length() <= n ? s : s.substring(0, n - 1) + "…"; }
}
