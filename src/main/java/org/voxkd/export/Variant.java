package org.voxkd.export;

import java.util.Arrays;
import java.util.Map;

/** The exported precisions of `voxkd export --quantize` and the deployment study. */
public enum Variant {
    FP32("fp32", "float32 weights and arithmetic"),
    FP16("fp16", "float16 weights (Cast to float32 in the graph), float32 arithmetic, input and output"),
    INT8_STATIC("int8-static", "post-training static quantization, QDQ: int8 per-channel symmetric 7-bit weights, uint8 activations "
            + "over min/max ranges calibrated on training crops; LSTM weights int8-stored, float32 recurrence"),
    INT8_DYNAMIC("int8-dynamic", "dynamic quantization: int8 per-channel symmetric 7-bit weights; MatMul inputs quantized to uint8 at "
            + "run time (DynamicQuantizeLinear + MatMulInteger); convolutions and LSTM on int8-stored weights in float32");

    public final String label, description;

    Variant(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public static Variant of(String label) {
        for (Variant v : values()) if (v.label.equals(label)) return v;
        throw new IllegalArgumentException("unknown precision '" + label + "'; choose one of "
                + Arrays.stream(values()).map(v -> v.label).toList());
    }

    /** Whether this variant needs activation ranges from a calibration. */
    public boolean calibrated() { return this == INT8_STATIC; }

    /** The arithmetic of this variant; {@code ranges} (probe key → {min, max}) only for {@link #INT8_STATIC}. */
    Arithmetic arithmetic(Map<String, float[]> ranges) {
        return switch (this) {
            case FP32 -> new Arithmetic.Fp32();
            case FP16 -> new Arithmetic.Fp16Weights();
            case INT8_STATIC -> new Quantized.Static(ranges);
            case INT8_DYNAMIC -> new Quantized.Dynamic();
        };
    }
}
