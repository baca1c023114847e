package org.voxkd.export;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.data.DatasetHash;
import org.voxkd.export.proto.Onnx;
import org.voxkd.io.AtomicFiles;
import org.voxkd.ledger.Version;
import org.voxkd.nn.NamedTensors;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.train.ModelFiles;

/**
 * A checkpoint as an ONNX model of one {@link Variant}, with its provenance in metadata_props:
 * {@code voxkd.version}, {@code voxkd.model_kind}, {@code voxkd.variant}, {@code voxkd.input}/{@code voxkd.output}
 * (the interface), {@code voxkd.model} and {@code voxkd.config} (the resolved configuration, JSON),
 * {@code voxkd.checkpoint} and {@code voxkd.checkpoint_sha256}, {@code provenance.KEY} for every key of the
 * checkpoint's provenance object (strings as they are, other values as JSON), and for int8-static
 * {@code voxkd.calibration}.
 */
public final class OnnxExport {
    public static final String INPUT_DOC = "features: float32 [batch, mels, frames], channel-first; log(power mel + 1e-6) of 16 kHz audio "
            + "(n_fft 512, window 400, hop 160, Hamming, 80 HTK mel bins 0-8000 Hz), instance-normalised per mel bin over time "
            + "(mean 0, variance 1 + 1e-5 floor), as voxkd's front-end computes it";
    public static final String OUTPUT_DOC = "embedding: float32 [batch, D], not L2-normalised; verification score = cosine similarity";

    private OnnxExport() {}

    /** Where int8-static takes its calibration crops: {@code crops} crops of {@code frames} frames from a training list, seeded. */
    public record Calibrator(Path trainList, Path root, int crops, int frames, long seed) {
        public String describe() {
            return crops + " training crops of " + frames + " frames from " + trainList + " (seed " + seed + "), min/max ranges";
        }
    }

    /** The ONNX model of checkpoint {@code m} (loaded from {@code file}); {@code cal} is needed for int8-static only. */
    public static Onnx.ModelProto build(ModelFiles.Loaded m, Path file, Variant v, Calibrator cal) throws IOException {
        Map<String, String> meta = metadata(m, file, v);
        List<float[]> crops = null;
        if (v.calibrated()) {
            if (cal == null) throw new IllegalArgumentException(v.label + " needs calibration crops: give a training list (--train-list)");
            crops = Calibration.trainingCrops(cal.trainList(), cal.root(), cal.crops(), cal.frames(), cal.seed());
            meta.put("voxkd.calibration", cal.describe());
        }
        return build(m.model(), m.weights(), v, crops, meta);
    }

    /**
     * The ONNX model of {@code model} with weights {params, state}: {@code calibrationCrops} ([frames·mels] each) are
     * needed for int8-static only; {@code meta} becomes metadata_props.
     */
    public static Onnx.ModelProto build(SpeakerModel model, float[][] weights, Variant v, List<float[]> calibrationCrops, Map<String, String> meta)
            throws IOException {
        Map<String, NamedTensors.Tensor> tensors = NamedTensors.unpack(model.parameters(), weights[0], weights[1]);
        Map<String, float[]> ranges = null;
        if (v.calibrated()) {
            if (calibrationCrops == null || calibrationCrops.isEmpty()) throw new IllegalArgumentException(v.label + " needs calibration crops");
            try {
                ranges = Calibration.ranges(model, tensors, calibrationCrops);
            } catch (ai.onnxruntime.OrtException e) {
                throw new IOException("calibration failed in ONNX Runtime: " + e.getMessage(), e);
            }
        }
        return OnnxModels.graph(model, tensors, v.arithmetic(ranges)).model("voxkd " + model.kind() + " (" + v.label + "): " + v.description, meta);
    }

    static Map<String, String> metadata(ModelFiles.Loaded m, Path file, Variant v) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("voxkd.version", Version.version());
        meta.put("voxkd.model_kind", m.model().kind());
        meta.put("voxkd.variant", v.label);
        meta.put("voxkd.quantization", v.description);
        meta.put("voxkd.input", INPUT_DOC);
        meta.put("voxkd.output", OUTPUT_DOC);
        if (m.meta().has("model")) meta.put("voxkd.model", m.meta().get("model").toString());
        if (m.meta().has("config")) meta.put("voxkd.config", m.meta().get("config").toString());
        meta.put("voxkd.checkpoint", file.getFileName().toString());
        meta.put("voxkd.checkpoint_sha256", DatasetHash.sha256(file));
        JsonNode prov = m.meta().get("provenance");
        if (prov != null)
            for (var e : prov.properties()) meta.put("provenance." + e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
        return meta;
    }

    /** Writes a model atomically. */
    public static void write(Path out, Onnx.ModelProto model) throws IOException {
        AtomicFiles.write(out, model::writeTo);
    }
}
