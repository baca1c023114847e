package org.voxkd.engine;

/**
 * Philox4x32-10 (Salmon et al., SC'11), a counter-based generator: the output is a pure function of
 * (key, counter), so any backend, thread or resumed run draws the same numbers for the same indices.
 * voxkd keys it with a 64-bit seed and counts with four 32-bit words it chooses per use, e.g.
 * (element, step, layer, stream) for dropout. tornado-kernels/random.cl holds the same function.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() {}

    /** Writes the four output words for counter (c0..c3) and key (k0, k1) into {@code out}. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
    }

    /** A uniform float in [0, 1) from the top 24 bits of a word: exact in float on every device. */
    public static float uniform(int word) {
        return (word >>> 8) * 0x1.0p-24f;
    }

    /** A counter-based stream for host-side uses (data synthesis, crops): draw i is a pure function of (seed, stream, i). */
    public static final class Stream {
        private final int k0, k1, s0, s1;
        private long index;
        private final int[] block = new int[4];
        private int used = 4;

        public Stream(long seed, long stream) {
            this.k0 = (int) seed;
            this.k1 = (int) (seed >>> 32);
            this.s0 = (int) stream;
            this.s1 = (int) (stream >>> 32);
        }

        public int nextInt() {
            if (used == 4) {
                block((int) index, (int) (index >>> 32), s0, s1, k0, k1, block);
                index++;
                used = 0;
            }
            return block[used++];
        }

        /** Uniform in [0, 1) with 53 random bits. */
        public double nextDouble() {
            long hi = nextInt() >>> 6 & 0x3FFFFFFL, lo = nextInt() >>> 5 & 0x7FFFFFFL;
            return ((hi << 27) | lo) * 0x1.0p-53;
        }

        /** Uniform integer in [0, bound). */
        public int nextInt(int bound) {
            if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
            return (int) Math.floor(nextDouble() * bound);
        }

        /** Standard normal (Box–Muller, one value per call; StrictMath, so the same bits on every JVM). */
        public double nextGaussian() {
            double u1 = nextDouble(), u2 = nextDouble();
            return StrictMath.sqrt(-2 * StrictMath.log1p(-u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
        }
    }
}
