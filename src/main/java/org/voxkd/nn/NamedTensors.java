package org.voxkd.nn;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.voxkd.engine.ParameterSet;

/**
 * Tensors by name (a checkpoint, a PyTorch state dict) and their strict mapping onto a
 * {@link ParameterSet}: a missing, unexpected or mis-shaped tensor is an error that names it, so a
 * mismatched teacher can never silently stay random.
 */
public final class NamedTensors {
    /** One tensor: its shape and values. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (int d : shape) n *= d;
            if (n != data.length) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + data.length);
        }
    }

    private NamedTensors() {}

    /** Splits a parameter set's flat host arrays into named tensors (trainable and state). */
    public static Map<String, Tensor> unpack(ParameterSet ps, float[] params, float[] state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (ParameterSet.Entry e : ps.entries()) {
            float[] src = e.trainable() ? params : state;
            out.put(e.name(), new Tensor(e.shape(), Arrays.copyOfRange(src, e.offset(), e.offset() + e.size())));
        }
        return out;
    }

    /**
     * Packs named tensors into the flat {params, state} arrays of {@code ps}. Shapes must match exactly,
     * except that trailing or leading singleton dimensions may differ (PyTorch's Conv1d kernel-1 weights
     * [O, I, 1] vs a Linear [O, I]) as long as the element order is the same.
     */
    public static float[][] pack(ParameterSet ps, Map<String, Tensor> tensors, String source) {
        // check everything before allocating: a header describing a huge model must not cost its memory
        TreeSet<String> missing = new TreeSet<>(), extra = new TreeSet<>(tensors.keySet());
        StringBuilder misshaped = new StringBuilder();
        for (ParameterSet.Entry e : ps.entries()) {
            extra.remove(e.name());
            Tensor t = tensors.get(e.name());
            if (t == null) missing.add(e.name());
            else if (!Arrays.equals(squeeze(t.shape()), squeeze(e.shape())))
                misshaped.append("\n  ").append(e.name()).append(": expected ").append(Arrays.toString(e.shape()))
                        .append(", found ").append(Arrays.toString(t.shape()));
        }
        if (!missing.isEmpty() || !extra.isEmpty() || misshaped.length() > 0)
            throw new IllegalArgumentException(source + " does not match the " + ps.prefix() + " model:"
                    + (missing.isEmpty() ? "" : "\n  missing tensors: " + abbreviate(missing))
                    + (extra.isEmpty() ? "" : "\n  unexpected tensors: " + abbreviate(extra)) + misshaped);
        float[] params = new float[ps.parameterCount()], state = new float[ps.stateCount()];
        for (ParameterSet.Entry e : ps.entries())
            System.arraycopy(tensors.get(e.name()).data(), 0, e.trainable() ? params : state, e.offset(), e.size());
        return new float[][] {params, state};
    }

    /** At most ten names, then how many more. */
    private static String abbreviate(TreeSet<String> names) {
        if (names.size() <= 10) return names.toString();
        return names.stream().limit(10).toList() + " and " + (names.size() - 10) + " more";
    }

    private static int[] squeeze(int[] shape) {
        return Arrays.stream(shape).filter(d -> d != 1).toArray();
    }
}
