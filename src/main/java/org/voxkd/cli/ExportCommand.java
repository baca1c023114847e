package org.voxkd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.voxkd.export.Agreement;
import org.voxkd.export.OnnxExport;
import org.voxkd.export.TorchStateDict;
import org.voxkd.export.Variant;
import org.voxkd.io.OutputGuard;
import org.voxkd.export.proto.Onnx;
import org.voxkd.train.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `voxkd export`: a checkpoint as an ONNX model (float32, float16 or int8) or as PyTorch-named safetensors weights. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a model checkpoint: --format onnx (input features [batch, 80, frames], channel-first, normalised log-mel; "
                + "output the embedding [batch, D], not normalised; dynamic batch and frames) or --format safetensors (the PyTorch state dict).",
                "An ONNX export is then run in ONNX Runtime next to voxkd on random crops and the agreement printed "
                        + "(float32 must agree within 1e-4 after L2 normalisation)."})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Model checkpoint (e.g. a run's best.ckpt).") Path checkpoint;
    @Option(names = "--format", defaultValue = "onnx", description = "onnx or safetensors (default: ${DEFAULT-VALUE}).") String format;
    @Option(names = "--out", required = true, description = "Output file (written atomically).") Path out;
    @Option(names = "--quantize", description = "ONNX only: fp16, int8-static or int8-dynamic (default: float32).") String quantize;
    @Option(names = "--calibration", defaultValue = "256", description = "int8-static: calibration crops from the training list (default: ${DEFAULT-VALUE}).")
    int calibration;
    @Option(names = "--calibration-frames", defaultValue = "200", description = "int8-static: frames per calibration crop (default: ${DEFAULT-VALUE}).")
    int calibrationFrames;
    @Option(names = "--train-list", description = "int8-static: training list for calibration (default: the checkpoint's data.train_list).")
    Path trainList;
    @Option(names = "--root", description = "Directory the training list's paths are relative to (default: the checkpoint's data.train_root, "
            + "else the list's directory).") Path root;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the calibration crops (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime threads for the check (default: ${DEFAULT-VALUE}).")
    int threads;
    @Option(names = "--no-check", description = "Skip the ONNX Runtime check after an ONNX export.") boolean noCheck;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        OutputGuard.refuseInputs("--out", out, OutputGuard.input("--checkpoint", checkpoint), OutputGuard.input("--train-list", trainList));
        ModelFiles.Loaded m = ModelFiles.load(checkpoint);
        if (format.equals("safetensors")) {
            if (quantize != null) throw new IllegalArgumentException("--quantize applies to --format onnx only");
            TorchStateDict.save(out, m, checkpoint);
            o.printf(Locale.ROOT, "%s: %s state dict, %,d bytes (safetensors, float32, PyTorch names)%n", out, m.model().kind(), Files.size(out));
            o.flush();
            return 0;
        }
        if (!format.equals("onnx")) throw new IllegalArgumentException("--format must be onnx or safetensors, got " + format);
        Variant v = quantize == null ? Variant.FP32 : Variant.of(quantize);
        OnnxExport.Calibrator cal = v.calibrated() ? calibrator(m) : null;
        Onnx.ModelProto model = OnnxExport.build(m, checkpoint, v, cal);
        OnnxExport.write(out, model);
        o.printf(Locale.ROOT, "%s: %s, %s, %,d bytes%n", out, m.model().kind(), v.label, Files.size(out));
        if (cal != null) o.println("calibration: " + cal.describe());
        if (!noCheck) {
            Agreement a = Agreement.check(m.model(), m.weights(), model.toByteArray(), Agreement.randomCrops(4, 200, m.model().mels(), seed), threads);
            o.println("ONNX Runtime vs voxkd on 4 random crops of 200 frames: " + a);
            if (v == Variant.FP32 && !(a.maxAbs() <= 1e-4)) {
                o.flush();
                throw new IllegalStateException(out + " disagrees with voxkd (" + a + "); please report this with the checkpoint");
            }
        }
        o.flush();
        return 0;
    }

    private OnnxExport.Calibrator calibrator(ModelFiles.Loaded m) {
        JsonNode data = m.meta().path("config").path("data");
        Path list = trainList != null ? trainList : data.hasNonNull("train_list") ? Path.of(data.get("train_list").asText()) : null;
        if (list == null) throw new IllegalArgumentException("int8-static needs calibration crops: give --train-list (the checkpoint names none)");
        Path base = root != null ? root : trainList == null && data.hasNonNull("train_root") ? Path.of(data.get("train_root").asText())
                : list.toAbsolutePath().getParent();
        return new OnnxExport.Calibrator(list, base, calibration, calibrationFrames, seed);
    }
}
