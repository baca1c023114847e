package org.voxkd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.voxkd.data.DataCheck;
import org.voxkd.data.Lists;
import org.voxkd.api.Verifier;
import org.voxkd.eval.EmbeddingFiles;
import org.voxkd.io.OutputGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `voxkd embed`: utterance embeddings of a list of WAV files, to CSV or a small binary file (through the Java API, {@link Verifier}). */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Write the utterance embedding of every WAV in a path list (one path per line; '#' comments and blank lines skipped).",
                "An utterance embedding is the mean of its L2-normalised crop embeddings (not normalised again), so the dot product "
                        + "of two rows is the score `voxkd eval` gives the pair (mean cosine over crop pairs).",
                "csv: header path,e0,…, then one row per listed path. bin: \"VOXKDEMB\", int32 version 1, int32 N, int32 D, "
                        + "then N·D float32, all little-endian, rows in list order."})
public final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Model checkpoint (e.g. a run's best.ckpt) or ONNX export (.onnx).") Path checkpoint;
    @Option(names = "--list", required = true, description = "Path list: one WAV path per line.") Path list;
    @Option(names = "--root", description = "Directory the listed paths are relative to (default: the list's directory).") Path root;
    @Option(names = "--out", required = true, description = "Output file (written atomically).") Path out;
    @Option(names = "--format", defaultValue = "csv", description = "csv or bin (default: ${DEFAULT-VALUE}).") String format;
    @Option(names = "--crops", defaultValue = "10", description = "Evenly spaced crops per utterance; 0 = whole utterances (default: ${DEFAULT-VALUE}).") int crops;
    @Option(names = "--frames", defaultValue = "200", description = "Frames per crop (default: ${DEFAULT-VALUE}).") int frames;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu or opencl (default: ${DEFAULT-VALUE}).") String backend;
    @Option(names = "--device", description = "Device index or name substring.") String device;
    @picocli.CommandLine.Mixin NumericsOption numerics = new NumericsOption();
    @Option(names = "--threads", defaultValue = "2", description = "Feature threads (default: ${DEFAULT-VALUE}).") int threads;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception { return numerics.with(this::run); }

    private Integer run() throws Exception {
        if (!format.equals("csv") && !format.equals("bin")) throw new IllegalArgumentException("--format must be csv or bin, got " + format);
        checkCrops(crops, frames);
        Bounds.threads(threads);
        PrintWriter log = spec.commandLine().getErr();
        Path base = root != null ? root : list.toAbsolutePath().getParent();
        List<String> paths = Lists.readPathList(list);
        List<String> distinct = List.copyOf(new LinkedHashSet<>(paths));
        DataCheck.check(base, distinct);
        OutputGuard.refuseInputs("--out", out, OutputGuard.input("--list", list), OutputGuard.input("--checkpoint", checkpoint));
        OutputGuard.refuseListed("--out", out, "a file listed in " + list + ":", base, distinct);
        long t0 = System.nanoTime();
        long[] lastPrint = {t0};
        float[][] emb;
        try (Verifier v = Verifier.load(checkpoint, Verifier.Options.defaults().crops(crops, frames).backend(backend, device))) {
            emb = v.embedAll(base, paths, threads, done -> {
                long now = System.nanoTime();
                if (now - lastPrint[0] > 10e9 && done < distinct.size()) {
                    lastPrint[0] = now;
                    log.printf(Locale.ROOT, "  %d/%d utterances, %.1f/s%n", done, distinct.size(), done / ((now - t0) / 1e9));
                    log.flush();
                }
            });
        }
        if (format.equals("csv")) EmbeddingFiles.writeCsv(out, paths, emb);
        else EmbeddingFiles.writeBin(out, emb);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%s: %d embeddings of %d values (%d distinct utterances, %s) in %.1f s%n", out, emb.length, emb[0].length,
                distinct.size(), cropsDescription(crops, frames), (System.nanoTime() - t0) / 1e9);
        o.flush();
        return 0;
    }

    static void checkCrops(int crops, int frames) {
        Bounds.crops(crops, frames);
    }

    static String cropsDescription(int crops, int frames) {
        return crops == 0 ? "whole utterances" : crops + " crop" + (crops == 1 ? "" : "s") + " of " + frames + " frames";
    }
}
