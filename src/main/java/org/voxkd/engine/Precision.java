package org.voxkd.engine;

import java.util.Locale;

/**
 * The arithmetic of a graph's GEMMs ({@code optim.precision}). {@code fp32} is the default and the reference;
 * {@code bf16} rounds the GEMM operands to bfloat16 and accumulates in fp32, while weights (the fp32 master
 * copy), activations and every other kernel stay fp32 — mixed precision as the seed trained it.
 */
public enum Precision {
    FP32, BF16;

    /** "fp32" or "bf16" (case-insensitive). */
    public static Precision parse(String s) {
        for (Precision p : values()) if (p.name().equalsIgnoreCase(s)) return p;
        throw new IllegalArgumentException("precision must be fp32 or bf16, got " + s);
    }

    public String key() { return name().toLowerCase(Locale.ROOT); }
}
