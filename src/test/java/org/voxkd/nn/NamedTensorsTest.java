package org.voxkd.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.ParameterSet;

/** Strict loading: a checkpoint that does not fit the model is an error naming every offending tensor. */
class NamedTensorsTest {
    static final ParameterSet PS = ParameterSet.builder("m").param("a.weight", 2, 3).param("a.bias", 2).state("bn.running_mean", 2).build();

    static Map<String, NamedTensors.Tensor> good() {
        Map<String, NamedTensors.Tensor> t = new LinkedHashMap<>();
        t.put("a.weight", new NamedTensors.Tensor(new int[] {2, 3, 1}, new float[] {1, 2, 3, 4, 5, 6}));
        t.put("a.bias", new NamedTensors.Tensor(new int[] {2}, new float[] {7, 8}));
        t.put("bn.running_mean", new NamedTensors.Tensor(new int[] {2}, new float[] {9, 10}));
        return t;
    }

    @Test
    void packsByNameAndRoundTrips() {
        float[][] w = NamedTensors.pack(PS, good(), "test");
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, w[0]);
        assertArrayEquals(new float[] {9, 10}, w[1]);
        assertArrayEquals(new float[] {7, 8}, NamedTensors.unpack(PS, w[0], w[1]).get("a.bias").data());
    }

    @Test
    void missingExtraAndMisshapedTensorsAreNamed() {
        Map<String, NamedTensors.Tensor> t = good();
        t.remove("a.bias");
        t.put("decoder.weight", new NamedTensors.Tensor(new int[] {1}, new float[] {0}));
        t.put("bn.running_mean", new NamedTensors.Tensor(new int[] {3}, new float[] {0, 0, 0}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamedTensors.pack(PS, t, "teacher.ckpt"));
        assertTrue(e.getMessage().contains("teacher.ckpt"), e.getMessage());
        assertTrue(e.getMessage().contains("missing tensors: [a.bias]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected tensors: [decoder.weight]"), e.getMessage());
        assertTrue(e.getMessage().contains("bn.running_mean: expected [2], found [3]"), e.getMessage());
    }
}
