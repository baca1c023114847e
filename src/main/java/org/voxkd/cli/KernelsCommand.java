package org.voxkd.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.voxkd.engine.opencl.OpenClBackend;
import org.voxkd.engine.opencl.Programs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd kernels --dump DIR`: what the OpenCL driver made of each kernel family. */
@Command(name = "kernels", mixinStandardHelpOptions = true,
        description = "Compile every tornado-kernels/*.cl family for an OpenCL device and write its binary (PTX text on NVIDIA) and build log.")
public final class KernelsCommand implements Runnable {
    /** The kernel families, one .cl file each (common.cl is prepended to every one). */
    public static final List<String> FAMILIES = List.of("tensor", "activation", "linear", "conv1d", "norm", "pooling", "l2norm", "lstm", "loss", "optim", "distill");

    @Option(names = "--dump", required = true, description = "Output directory.") Path dir;
    @Option(names = "--device", description = "OpenCL device index or name substring.") String device;

    @Override public void run() {
        try (OpenClBackend cl = OpenClBackend.open(device)) {
            Files.createDirectories(dir);
            Programs p = cl.programs();
            System.out.println("device: " + cl.device().name() + " (" + cl.device().detail() + "), options: " + Programs.OPTIONS);
            for (String family : FAMILIES) {
                byte[] bin = p.binary(family);
                String ext = cl.device().vendor().toLowerCase().contains("nvidia") ? ".ptx" : ".bin";
                Files.write(dir.resolve(family + ext), bin);
                Files.writeString(dir.resolve(family + ".log"), p.log(family) + "\n");
                System.out.printf("%-12s %9d bytes -> %s%n", family, bin.length, dir.resolve(family + ext));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write to " + dir + ": " + e.getMessage(), e);
        }
    }
}
