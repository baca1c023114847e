package org.voxkd.audio;

import org.voxkd.engine.Philox;

/**
 * Seeded draws for data work on top of {@link Philox.Stream}: every value is a pure function of
 * (seed, stream id, draw index), so results never depend on iteration or thread order. Stream ids are
 * built with {@link #id} from a purpose tag and up to three indices. Transcendentals use StrictMath so
 * the draws are bit-identical on every JVM.
 */
public final class Rng {
    private final Philox.Stream s;

    public Rng(long seed, long streamId) {
        s = new Philox.Stream(seed, streamId);
    }

    /**
     * A stream id: purpose in the top 8 bits, then a (16 bits, e.g. an epoch or speaker), b (24 bits, e.g. an
     * utterance index) and c (16 bits). Out-of-range indices are an error, never a silent collision.
     */
    public static long id(int purpose, long a, long b, long c) {
        if (purpose < 0 || purpose > 0xFF || a < 0 || a >= 1 << 16 || b < 0 || b >= 1 << 24 || c < 0 || c >= 1 << 16) {
            throw new IllegalArgumentException("stream id out of range: " + purpose + "/" + a + "/" + b + "/" + c);
        }
        return (long) purpose << 56 | a << 40 | b << 16 | c;
    }

    public double uniform() {
        return s.nextDouble();
    }

    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * s.nextDouble();
    }

    /** Uniform integer in [lo, hi] inclusive. */
    public int between(int lo, int hi) {
        return lo + s.nextInt(hi - lo + 1);
    }

    public int nextInt(int bound) {
        return s.nextInt(bound);
    }

    public boolean chance(double p) {
        return s.nextDouble() < p;
    }

    /** Log-uniform in [lo, hi]. */
    public double logUniform(double lo, double hi) {
        return lo * StrictMath.exp(StrictMath.log(hi / lo) * s.nextDouble());
    }

    /** Standard normal (Box–Muller with StrictMath). */
    public double gaussian() {
        double u1 = s.nextDouble(), u2 = s.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log1p(-u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
    }

    /** Fast white noise in [-1, 1) from one 32-bit word (for audio-rate noise). */
    public double noise() {
        return (s.nextInt() >> 8) * 0x1.0p-23;
    }

    /** Fisher–Yates shuffle of a permutation 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = s.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
