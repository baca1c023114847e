package org.voxkd.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.audio.FrontEnd;
import org.voxkd.data.DataCheck;
import org.voxkd.data.Lists;
import org.voxkd.data.TrainLoader;
import org.voxkd.nn.NamedTensors;
import org.voxkd.nn.SpeakerModel;

/**
 * Activation ranges for static int8 quantization: the float32 graph with every affine layer's input (and each
 * convolution's output) as an extra output ({@link Quantized.Probe}) runs in ONNX Runtime over calibration crops,
 * and each tensor's range is its <b>min and max</b> over all of them (no percentile clipping). ONNX Runtime runs on
 * one thread here: its reductions round differently with other thread counts, and the ranges (so the exported
 * file) must not depend on that.
 */
public final class Calibration {
    /** Crops per ONNX Runtime call. */
    static final int BATCH = 16;

    private Calibration() {}

    /**
     * {@code n} training crops of {@code frames} frames ([frames·mels] each), as training would draw them without
     * augmentation: the {@link TrainLoader}'s seeded epoch order and random crop starts, epochs 0, 1, … in turn until n.
     */
    public static List<float[]> trainingCrops(Path trainList, Path root, int n, int frames, long seed) throws IOException {
        if (n < 1) throw new IllegalArgumentException("--calibration must be at least 1 crop, got " + n);
        List<Lists.Utterance> list = Lists.readTrainList(trainList);
        DataCheck.checkTrainList(root, list);
        int batch = Math.min(BATCH, list.size());
        List<float[]> out = new ArrayList<>(n);
        try (TrainLoader loader = new TrainLoader(root, list, new TrainLoader.Config(batch, frames, seed, 0, 1, 0, 1, null))) {
            int per = loader.batchesPerEpoch();
            for (int i = 0; out.size() < n; i++) {
                TrainLoader.Batch b = loader.batch(i / per, i % per);
                int len = frames * FrontEnd.N_MELS;
                for (int k = 0; k < b.size() && out.size() < n; k++)
                    out.add(java.util.Arrays.copyOfRange(b.features(), k * len, (k + 1) * len));
            }
        }
        return out;
    }

    /** Probe key → {min, max} of that tensor over {@code crops} (equally long, [frames·mels] each). */
    public static Map<String, float[]> ranges(SpeakerModel model, Map<String, NamedTensors.Tensor> tensors, List<float[]> crops)
            throws ai.onnxruntime.OrtException {
        Quantized.Probe probe = new Quantized.Probe();
        byte[] onnx = OnnxModels.graph(model, tensors, probe).model("calibration probe", Map.of()).toByteArray();
        Map<String, float[]> byTensor = new LinkedHashMap<>();
        try (OrtModel m = new OrtModel(onnx, "calibration probe", 1)) {
            for (int i = 0; i < crops.size(); i += BATCH) {
                List<float[]> part = crops.subList(i, Math.min(crops.size(), i + BATCH));
                int frames = part.get(0).length / model.mels();
                Map<String, float[]> outs = m.runAll(OrtModel.channelFirst(part, model.mels()), part.size(), frames);
                for (String t : probe.tensors().values()) {
                    float[] r = byTensor.computeIfAbsent(t, k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
                    for (float v : outs.get(t)) {
                        if (!Float.isFinite(v)) throw new IllegalStateException("calibration: " + t + " holds a non-finite value (" + v + ")");
                        r[0] = Math.min(r[0], v);
                        r[1] = Math.max(r[1], v);
                    }
                }
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        probe.tensors().forEach((key, t) -> out.put(key, byTensor.get(t)));
        return out;
    }
}
