package org.voxkd.engine.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.voxkd.engine.Numerics;

/**
 * SIMD for the cpu kernels (the JDK's Vector API): tiled loops over the native buffers and the vector
 * math the pointwise kernels share (exp, tanh, sigmoid, the normal CDF of GELU, Philox dropout masks).
 *
 * <p>Why tiles: the cpu backend's memory is direct {@link java.nio.FloatBuffer}s (OpenBLAS works on them
 * in place), which the Vector API of Java 21 cannot load from; a kernel copies a tile of {@link #TILE}
 * floats into per-thread arrays (a memcpy, in L1), computes with full vectors and copies the result
 * back. Every element goes through the same vector code — tails are computed in whole vectors whose
 * extra lanes are never stored — so the bits do not depend on where the thread chunks fall.
 *
 * <p>The math is plain IEEE float arithmetic (fma included), no library calls, and lanes are independent,
 * so an element-wise kernel's bits are the same on every machine whatever its vector width. Reductions across
 * lanes ({@link #laneSum}, {@link #laneDot}) take their width from the numerics mode: the hardware's in fast mode,
 * a fixed 16 in portable mode ({@link org.voxkd.engine.Numerics}).
 */
public final class Simd {
    private Simd() {}

    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    public static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    /** Doubles for float64 accumulators, and the float species with as many lanes (its F2D conversion fills one D vector). */
    public static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    public static final VectorSpecies<Float> FD = VectorSpecies.of(float.class, VectorShape.forBitSize(D.length() * Float.SIZE));
    public static final int LANES = F.length();
    /** Floats per tile: 8 KiB, so a kernel's few tiles stay in L1. A multiple of every vector length and of 4·Long lanes. */
    public static final int TILE = 2048;
    private static final int SCRATCH_TILES = 6;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[SCRATCH_TILES][TILE]);

    /** A kernel's work on one tile: elements [start, start + len) of its index space, with this thread's scratch tiles. */
    @FunctionalInterface
    public interface TileBody {
        void run(int start, int len, float[][] scratch);
    }

    /**
     * Runs {@code body} over [0, n) tile by tile; the tiles are split over the kernel threads
     * ({@link Parallel}) when {@code costPerItem}·n is worth it. Tile starts are multiples of {@link #TILE}.
     */
    public static void tiles(int n, int costPerItem, TileBody body) {
        int count = (n + TILE - 1) / TILE;
        Parallel.range(count, costPerItem * TILE, (t0, t1) -> {
            float[][] s = SCRATCH.get();
            for (int t = t0; t < t1; t++) {
                int start = t * TILE;
                body.run(start, Math.min(TILE, n - start), s);
            }
        });
    }

    /**
     * This thread's scratch array {@code k}, at least {@code length} floats plus one vector of slack (a vector loop
     * may run past the last element); grown once when a shape needs more than a tile.
     */
    public static float[] scratch(int k, int length) {
        float[][] s = SCRATCH.get();
        if (s[k].length < length + LANES) s[k] = new float[length + LANES];
        return s[k];
    }

    /**
     * Σ x[0, n) as a lane-parallel loop of {@code width} lanes sums it: float partial sums p_l = x_l + x_{l+w} + x_{l+2w} + …
     * over the whole blocks of w, then p_0 … p_{w−1} and the tail x[n − n mod w, n) in order in float64. The bits depend
     * on {@code width} only, not on {@link #LANES}: fast mode passes LANES, portable mode
     * {@link org.voxkd.engine.Numerics#LOGICAL_LANES} (a multiple of LANES; the partial sums then go LANES at a time).
     * {@code lanes} is scratch of at least {@code width} floats. Why not {@code reduceLanes}: it leaves the order to the
     * implementation, which may differ between the JIT and the interpreter — and then so would the bits.
     */
    public static double laneSum(float[] x, int n, int width, float[] lanes) {
        int full = n - n % width;
        for (int q = 0; q < width; q += LANES) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = q; j < full; j += width) acc = acc.add(FloatVector.fromArray(F, x, j));
            acc.intoArray(lanes, q);
        }
        double s = 0;
        for (int l = 0; l < width; l++) s += lanes[l];
        for (int j = full; j < n; j++) s += x[j];
        return s;
    }

    /** Σ x[j]·y[j] over [0, n) in the order of {@link #laneSum}, each partial sum an fma chain (the tail in float64). */
    public static double laneDot(float[] x, float[] y, int n, int width, float[] lanes) {
        int full = n - n % width;
        for (int q = 0; q < width; q += LANES) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = q; j < full; j += width) acc = FloatVector.fromArray(F, x, j).fma(FloatVector.fromArray(F, y, j), acc);
            acc.intoArray(lanes, q);
        }
        double s = 0;
        for (int l = 0; l < width; l++) s += lanes[l];
        for (int j = full; j < n; j++) s += (double) x[j] * y[j];
        return s;
    }

    /** {@code len} rounded up to whole vectors: the loop bound over a scratch tile. */
    public static int vectorBound(int len) { return (len + LANES - 1) / LANES * LANES; }

    /** acc[i] += x[i] on [0, end): bias rows, column sums. */
    public static void add(float[] acc, float[] x, int end) {
        for (int i = 0; i < end; i += LANES)
            FloatVector.fromArray(F, acc, i).add(FloatVector.fromArray(F, x, i)).intoArray(acc, i);
    }

    // ---- exp, tanh, sigmoid, the normal CDF: array to array over one tile ----
    //
    // Every function here takes arrays and loops itself; no FloatVector crosses a method boundary. Why: C2 turns
    // Vector API calls into SIMD instructions only where it inlines them into the loop that creates the vectors;
    // a helper taking or returning a FloatVector that the JIT compiles on its own (it does, once the helper is hot
    // in several callers) runs the API's Java fallback, which allocates an array per operation — 25× slower.
    // Array-level functions are fast whether they are inlined or not. Loops cover [from, end) (whole vectors from
    // from), the same indices in every array argument.

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** exp's input range: ln of the largest float, ln of the smallest normal (2ⁿ is formed in the exponent bits). */
    private static final float EXP_MAX = 88.3762626647949f, EXP_MIN = -87.3365447504f;
    /** 1.5·2²³: adding and subtracting it rounds a float below 2²² to the nearest integer. */
    private static final float ROUND = 12582912f;

    /**
     * out = eˣ, with range reduction x = n·ln2 + r, |r| ≤ ln2/2, and Cephes' degree-6 polynomial for eʳ (≤ 2 ulp).
     * Inputs are clamped to [−87.34, 88.38]: the result is then at least the smallest normal float.
     * {@code out} may be {@code x}.
     */
    public static void exp(float[] x, float[] out, int from, int end) {
        FloatVector lnHi = FloatVector.broadcast(F, -LN2_HI), lnLo = FloatVector.broadcast(F, -LN2_LO);
        FloatVector c3 = FloatVector.broadcast(F, 8.3334519073e-3f), c4 = FloatVector.broadcast(F, 4.1665795894e-2f);
        FloatVector c5 = FloatVector.broadcast(F, 1.6666665459e-1f), c6 = FloatVector.broadcast(F, 5.0000001201e-1f);
        for (int i = from; i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i).max(EXP_MIN).min(EXP_MAX);
            FloatVector n = v.mul(LOG2E).add(ROUND).sub(ROUND);
            FloatVector r = n.fma(lnHi, v);
            r = n.fma(lnLo, r);
            FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
            p = p.fma(r, c3);
            p = p.fma(r, c4);
            p = p.fma(r, c5);
            p = p.fma(r, c6);
            p = p.fma(r.mul(r), r).add(1f);
            IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
            p.mul(bits.reinterpretAsFloats()).intoArray(out, i);
        }
    }

    /**
     * out = tanh(x): Cephes' odd polynomial below |x| 0.625 (where 1 − 2/(e²ˣ + 1) would cancel), else
     * 1 − 2/(e^{2|x|} + 1) with the sign of x. A few ulp everywhere. {@code out} must not be {@code x}.
     */
    public static void tanh(float[] x, float[] out, int from, int end) {
        for (int i = from; i < end; i += LANES) FloatVector.fromArray(F, x, i).abs().mul(2f).intoArray(out, i);
        exp(out, out, from, end);
        FloatVector one = FloatVector.broadcast(F, 1f), two = FloatVector.broadcast(F, 2f);
        FloatVector c1 = FloatVector.broadcast(F, -5.37397155531e-2f), c2 = FloatVector.broadcast(F, 1.33314422036e-1f);
        FloatVector c3 = FloatVector.broadcast(F, -3.33332819422e-1f);
        for (int i = from; i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector big = one.sub(two.div(FloatVector.fromArray(F, out, i).add(1f)));
            big = big.lanewise(VectorOperators.NEG, v.compare(VectorOperators.LT, 0f));
            FloatVector z = v.mul(v);
            FloatVector small = z.fma(-5.70498872745e-3f, 2.06390887954e-2f);
            small = small.fma(z, c1);
            small = small.fma(z, c2);
            small = small.fma(z, c3);
            small = small.mul(z).fma(v, v);
            big.blend(small, v.abs().compare(VectorOperators.LT, 0.625f)).intoArray(out, i);
        }
    }

    /** out = 1 / (1 + e⁻ˣ). {@code out} may be {@code x}. */
    public static void sigmoid(float[] x, float[] out, int from, int end) {
        for (int i = from; i < end; i += LANES) FloatVector.fromArray(F, x, i).neg().intoArray(out, i);
        exp(out, out, from, end);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int i = from; i < end; i += LANES) one.div(FloatVector.fromArray(F, out, i).add(1f)).intoArray(out, i);
    }

    private static final float INV_SQRT2 = 0.70710678118654752f;
    public static final float INV_SQRT_2PI = 0.39894228040143268f;

    /** out = exp(−x²/2), the Gaussian factor GELU's forward and backward share. {@code out} may be {@code x}. */
    public static void gaussian(float[] x, float[] out, int end) {
        for (int i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            v.mul(v).mul(-0.5f).intoArray(out, i);
        }
        exp(out, out, 0, end);
    }

    /**
     * out = Φ(x), the standard normal CDF, given {@code e = exp(−x²/2)}: erfc through Abramowitz &amp; Stegun 7.1.26
     * (|error of erf| ≤ 1.5e-7), the formula tornado-kernels/activation.cl uses. One exp per element, shared with
     * the density φ(x) = e/√(2π) in GELU's backward. {@code out} may be {@code e}.
     */
    public static void normalCdf(float[] x, float[] e, float[] out, int end) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector a3 = FloatVector.broadcast(F, 1.421413741f), a2 = FloatVector.broadcast(F, -0.284496736f);
        FloatVector a1 = FloatVector.broadcast(F, 0.254829592f);
        for (int i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector t = one.div(v.abs().mul(INV_SQRT2).fma(0.3275911f, 1f));
            FloatVector poly = t.fma(1.061405429f, -1.453152027f);
            poly = poly.fma(t, a3);
            poly = poly.fma(t, a2);
            poly = poly.fma(t, a1);
            FloatVector half = t.mul(poly).mul(FloatVector.fromArray(F, e, i)).mul(0.5f);
            half.blend(one.sub(half), v.compare(VectorOperators.GE, 0f)).intoArray(out, i);
        }
    }

    // ---- Philox dropout masks ----

    /** Elements whose keep bits one {@link #dropoutKeepBits} call returns: four per Philox block, one block per long lane. */
    public static final int MASK_ELEMENTS = 4 * L.length();
    private static final long M32 = 0xFFFFFFFFL, PM0 = 0xD2511F53L, PM1 = 0xCD9E8D57L, PW0 = 0x9E3779B9L, PW1 = 0xBB67AE85L;
    /** One bit per nibble: Long.expand of a lane mask puts lane l's bit at 4·l. */
    private static final long SPREAD = 0x1111111111111111L >>> (64 - MASK_ELEMENTS);
    private static final LongVector IOTA = LongVector.zero(L).addIndex(1);

    /**
     * Keep bits of dropout for elements 4·block0 … 4·block0 + {@link #MASK_ELEMENTS} − 1: bit j is set when element
     * 4·block0 + j is kept, i.e. when lane j mod 4 of philox(counter (block0 + j/4, c1, c2, 0), key (k0, k1)) has its top
     * 24 bits at least {@code threshold} (= ⌈p·2²⁴⌉, so the test equals {@code Philox.uniform(word) >= p} exactly).
     * The same Philox4x32-10 as {@link org.voxkd.engine.Philox#block}, one block per 64-bit lane.
     */
    public static long dropoutKeepBits(int block0, int c1, int c2, int k0, int k1, long threshold) {
        LongVector x0 = IOTA.add(block0 & M32).and(M32);
        LongVector x1 = LongVector.broadcast(L, c1 & M32), x2 = LongVector.broadcast(L, c2 & M32), x3 = LongVector.zero(L);
        long key0 = k0 & M32, key1 = k1 & M32;
        for (int round = 0; round < 10; round++) {
            LongVector p0 = x0.mul(PM0), p1 = x2.mul(PM1);
            LongVector n0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.XOR, key0);
            LongVector n2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.XOR, key1);
            x1 = p1.and(M32);
            x3 = p0.and(M32);
            x0 = n0;
            x2 = n2;
            key0 = (key0 + PW0) & M32;
            key1 = (key1 + PW1) & M32;
        }
        long b0 = x0.lanewise(VectorOperators.LSHR, 8).compare(VectorOperators.GE, threshold).toLong();
        long b1 = x1.lanewise(VectorOperators.LSHR, 8).compare(VectorOperators.GE, threshold).toLong();
        long b2 = x2.lanewise(VectorOperators.LSHR, 8).compare(VectorOperators.GE, threshold).toLong();
        long b3 = x3.lanewise(VectorOperators.LSHR, 8).compare(VectorOperators.GE, threshold).toLong();
        return Long.expand(b0, SPREAD) | Long.expand(b1, SPREAD) << 1 | Long.expand(b2, SPREAD) << 2 | Long.expand(b3, SPREAD) << 3;
    }

    /** ⌈p·2²⁴⌉: a Philox word's top 24 bits at or above it ⇔ {@code Philox.uniform(word) >= p}. */
    public static long dropoutThreshold(float p) { return (long) Math.ceil(p * 16777216.0); }

    static {
        if (TILE % MASK_ELEMENTS != 0 || MASK_ELEMENTS % LANES != 0 || TILE % LANES != 0)
            throw new IllegalStateException("vector shape " + F + " / " + L + " does not divide the tile of " + TILE);
        if (Numerics.LOGICAL_LANES % LANES != 0)
            throw new IllegalStateException("vector shape " + F + " is wider than the " + Numerics.LOGICAL_LANES
                    + " lanes of portable mode's reductions; start the JVM with -XX:MaxVectorSize=64");
    }
}
