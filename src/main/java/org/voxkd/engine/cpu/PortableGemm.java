package org.voxkd.engine.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The portable mode's SGEMM (row-major, single precision) in the JDK's Vector API, on the Java arrays that hold a
 * portable cpu backend's memory. Its bits are fixed by one rule, whatever the CPU, the vector width, the blocking
 * or the thread count:
 *
 * <pre>
 *   c_ij ← fma(α·a_i,K−1, b_K−1,j, … fma(α·a_i1, b_1j, fma(α·a_i0, b_0j, β·c_ij)) …)
 * </pre>
 *
 * one fused multiply-add chain per output, over p = 0 … K−1 in order, starting from β·c_ij (from 0 when β is 0: C is
 * then not read, so NaN there does not leak in); α·a is rounded once (exact for α = 1, the only α voxkd uses).
 * {@link #reference} is the rule in scalar Java; the tests compare the two bit for bit.
 *
 * <p>Why the bits cannot move: vector lanes are output columns (never a reduction); a register tile of {@link #MR}
 * rows × {@link #NV} vectors carries its chains through blocks of {@link #KC} steps, and between blocks a chain is
 * stored as the float it is and reloaded, so the blocking changes no rounding; threads split the output into
 * independent row or column ranges. The blocking is for speed only: B is packed in panels of KC × {@link #NC}
 * (zero-padded to whole vectors), A is read in place (packed only for a last, partial row tile), C in place. When B
 * is much wider than A is tall (a recurrent step: a few batch rows against a whole weight matrix) the product is
 * computed as Cᵀ = op(B)ᵀ·op(A)ᵀ, which packs the small A instead of the large B and leaves every chain as it is
 * (fma(a, b, s) = fma(b, a, s)).
 */
public final class PortableGemm {
    private PortableGemm() {}

    /** Register tile: MR rows × NV vectors of C (12 accumulators: fits the 16 vector registers of AVX2). */
    static final int MR = 6, NV = 2;
    /** k steps per packed B panel, and its columns. */
    static final int KC = 256, NC = 192;
    private static final int NR = NV * Simd.LANES;
    /** Where the first block of a β = 0 product starts its chains: zeros, read like a tile of C. */
    private static final float[] ZERO_TILE = new float[MR * NR];

    /** Per-thread scratch: the packed B panel, a packed partial A tile, a C tile for the edges, the reused panels (most recent first). */
    private static final class Scratch {
        float[] b = new float[KC * (NC + NR)], a = new float[MR * KC], c = new float[MR * NR];
        final java.util.ArrayDeque<Packed> packed = new java.util.ArrayDeque<>();
    }

    /** A packed panel of a transposed B, and a copy of the block of B (nc rows of kc floats from src) it was packed from. */
    private static final class Packed {
        java.lang.ref.WeakReference<float[]> b;
        int src, ldb, kc, nc;
        float[] copy = new float[0], panel = new float[0];
    }

    /** Products of at most this many rows (on one thread) reuse their transposed-B panels ({@link #packedB}); panels kept per thread. */
    static final int REUSE_ROWS = 256, REUSE_ENTRIES = 8;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * The operands of one product; A, B and C start at their offsets, with leading dimensions lda, ldb, ldc. With
     * {@code transC} the product computed is the transpose of the stored C: element (i, j) lives at C[j·ldc + i].
     */
    private record Operands(boolean transA, boolean transB, int k, float alpha, float[] a, int aOff, int lda,
                            float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, boolean transC) {
        int at(int i, int j) { return cOff + (transC ? j * ldc + i : i * ldc + j); }
    }

    /** C = α·op(A)·op(B) + β·C by the rule above (row-major arrays). */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        if (alpha == 1f && n > 4L * m && m <= 4 * NC) {
            // Cᵀ = op(B)ᵀ·op(A)ᵀ: op(B)ᵀ read in place as the "A", op(A)ᵀ packed as the "B" (α = 1: nothing to scale).
            sgemm(new Operands(!transB, !transA, k, 1f, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc, true), n, m);
            return;
        }
        sgemm(new Operands(transA, transB, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, false), m, n);
    }

    private static void sgemm(Operands o, int m, int n) {
        int rowTiles = (m + MR - 1) / MR, colTiles = (n + NR - 1) / NR;
        long work = (long) m * n * Math.max(o.k, 1) / 4;
        // Split the dimension with more tiles; each thread owns whole output rows (or columns) and every chain in them.
        if (rowTiles >= colTiles)
            Parallel.range(rowTiles, (int) Math.min(Integer.MAX_VALUE, work / rowTiles),
                    (t0, t1) -> block(o, t0 * MR, Math.min(m, t1 * MR), 0, n));
        else
            Parallel.range(colTiles, (int) Math.min(Integer.MAX_VALUE, work / colTiles),
                    (t0, t1) -> block(o, 0, m, t0 * NR, Math.min(n, t1 * NR)));
    }

    /** Rows [i0, i1) × columns [j0, j1) of C, on this thread. */
    private static void block(Operands o, int i0, int i1, int j0, int j1) {
        float beta = o.beta;
        if (beta != 0f && beta != 1f || o.k == 0) {
            // The chains' start β·c (or 0), in place; then the product continues from C as with β = 1.
            for (int i = i0; i < i1; i++)
                for (int j = j0; j < j1; j++) o.c[o.at(i, j)] = beta == 0f ? 0f : beta * o.c[o.at(i, j)];
            beta = 1f;
        }
        Scratch s = SCRATCH.get();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc), ncp = (nc + NR - 1) / NR * NR;
            for (int pc = 0; pc < o.k; pc += KC) {
                int kc = Math.min(KC, o.k - pc);
                float[] bp = o.transB && i1 - i0 <= REUSE_ROWS ? packedB(o, pc, kc, jc, nc, ncp, s) : packB(o, pc, kc, jc, nc, ncp, s);
                boolean zero = pc == 0 && beta == 0f;
                for (int ir = i0; ir < i1; ir += MR) {
                    int rows = Math.min(MR, i1 - ir);
                    // A in place (row stride rs, k stride ps), or a packed copy for a partial tile or α ≠ 1.
                    float[] a = o.a;
                    int ao = o.aOff + (o.transA ? pc * o.lda + ir : ir * o.lda + pc), rs = o.transA ? 1 : o.lda, ps = o.transA ? o.lda : 1;
                    if (rows < MR || o.alpha != 1f) {
                        packA(o, ir, rows, pc, kc, s.a);
                        a = s.a;
                        ao = 0;
                        rs = 1;
                        ps = MR;
                    }
                    for (int jr = 0; jr < ncp; jr += NR) {
                        int cols = Math.min(NR, nc - jr), j = jc + jr, at = o.at(ir, j);
                        // A last panel of at most one vector's columns (a narrow product: a grouped convolution's 12 or 36
                        // channels, 48 = 32 + 16) takes the one-vector tile: half the work of computing and dropping a
                        // whole second vector. Which tile computes a chain changes no rounding.
                        boolean narrow = cols <= Simd.LANES;
                        if (rows == MR && cols == (narrow ? Simd.LANES : NR) && !o.transC) {
                            if (narrow) tile1(a, ao, rs, ps, bp, jr * kc, kc, zero ? ZERO_TILE : o.c, zero ? 0 : at, zero ? NR : o.ldc, o.c, at, o.ldc);
                            else tile(a, ao, rs, ps, bp, jr * kc, kc, zero ? ZERO_TILE : o.c, zero ? 0 : at, zero ? NR : o.ldc, o.c, at, o.ldc);
                            continue;
                        }
                        // An edge or transposed tile: through a full-size copy, whose extra rows and columns are computed and dropped.
                        if (!zero) edge(o, ir, j, rows, cols, s.c, true);
                        if (narrow) tile1(a, ao, rs, ps, bp, jr * kc, kc, zero ? ZERO_TILE : s.c, 0, NR, s.c, 0, NR);
                        else tile(a, ao, rs, ps, bp, jr * kc, kc, zero ? ZERO_TILE : s.c, 0, NR, s.c, 0, NR);
                        edge(o, ir, j, rows, cols, s.c, false);
                    }
                }
            }
        }
    }

    /** Copies the rows × cols corner of the tile at (i, j) from C into the MR × NR scratch {@code t} ({@code in}), or back. */
    private static void edge(Operands o, int i, int j, int rows, int cols, float[] t, boolean in) {
        if (!o.transC) {
            for (int r = 0; r < rows; r++) {
                if (in) System.arraycopy(o.c, o.at(i + r, j), t, r * NR, cols);
                else System.arraycopy(t, r * NR, o.c, o.at(i + r, j), cols);
            }
            return;
        }
        // Transposed: column j + q of the tile is a run of `rows` contiguous floats of C.
        for (int q = 0; q < cols; q++) {
            int at = o.at(i, j + q);
            if (in) for (int r = 0; r < rows; r++) t[r * NR + q] = o.c[at + r];
            else for (int r = 0; r < rows; r++) o.c[at + r] = t[r * NR + q];
        }
    }

    /** dst[p·MR + r] = α·op(A)[ir + r, pc + p] for r < rows, 0 for the rows of the tile past the matrix. */
    private static void packA(Operands o, int ir, int rows, int pc, int kc, float[] dst) {
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < MR; r++) {
                int i = ir + r, q = pc + p;
                dst[p * MR + r] = r >= rows ? 0f : o.alpha * o.a[o.aOff + (o.transA ? q * o.lda + i : i * o.lda + q)];
            }
    }

    /**
     * s.b ← op(B)[pc, pc + kc) × [jc, jc + nc) in panels of NR columns: element (p, j) of panel q at q·NR·kc + p·NR + j;
     * columns past nc are zero.
     */
    private static float[] packB(Operands o, int pc, int kc, int jc, int nc, int ncp, Scratch s) {
        if (s.b.length < kc * ncp) s.b = new float[kc * ncp];
        packB(o, pc, kc, jc, nc, ncp, s.b);
        return s.b;
    }

    /**
     * The packed panel of a transposed B for a product of few rows, reused while B's block is unchanged: a recurrent
     * step multiplies 64 rows by the same W_hhᵀ at every one of T steps, and packing it (a transpose) cost as much as the
     * product. Whether the block is unchanged is decided by comparing it with a copy kept beside the packed panel (a
     * sequential, vectorised compare of the same floats the transpose would read), so the panel is always the one
     * {@link #packB} would make from the B of this call: a pure cache, no change to any bit.
     */
    private static float[] packedB(Operands o, int pc, int kc, int jc, int nc, int ncp, Scratch s) {
        float[] b = o.b;
        int src = o.bOff + jc * o.ldb + pc, ldb = o.ldb;
        Packed hit = null;
        for (Packed e : s.packed)
            if (e.b.get() == b && e.src == src && e.ldb == ldb && e.kc == kc && e.nc == nc) {
                hit = e;
                break;
            }
        if (hit != null) {
            boolean same = true;
            for (int j = 0; j < nc && same; j++)
                same = Arrays.equals(b, src + j * ldb, src + j * ldb + kc, hit.copy, j * kc, j * kc + kc);
            s.packed.remove(hit);
            s.packed.addFirst(hit);
            if (same) return hit.panel;
        } else {
            hit = s.packed.size() < REUSE_ENTRIES ? new Packed() : s.packed.removeLast();
            s.packed.addFirst(hit);
        }
        hit.b = new java.lang.ref.WeakReference<>(b);
        hit.src = src;
        hit.ldb = ldb;
        hit.kc = kc;
        hit.nc = nc;
        if (hit.copy.length < nc * kc) hit.copy = new float[nc * kc];
        if (hit.panel.length < kc * ncp) hit.panel = new float[kc * ncp];
        for (int j = 0; j < nc; j++) System.arraycopy(b, src + j * ldb, hit.copy, j * kc, kc);
        packB(o, pc, kc, jc, nc, ncp, hit.panel);
        return hit.panel;
    }

    private static void packB(Operands o, int pc, int kc, int jc, int nc, int ncp, float[] bp) {
        float[] b = o.b;
        if (!o.transB) {
            for (int p = 0; p < kc; p++) {
                int src = o.bOff + (pc + p) * o.ldb + jc;
                for (int q = 0; q < ncp; q += NR) {
                    int len = Math.min(NR, nc - q), dst = q * kc + p * NR;
                    System.arraycopy(b, src + q, bp, dst, len);
                    if (len < NR) Arrays.fill(bp, dst + len, dst + NR, 0f);
                }
            }
        } else {
            // Panel by panel, k step by k step: the writes run contiguously through the panel, the reads go across NR rows
            // of B that stay in L1 (column by column, the writes strode NR floats apart through a panel larger than L1:
            // a recurrent step's W_hhᵀ, 64 × 256, packed 64 times per direction, was 7% of a KD step).
            for (int q = 0; q < ncp; q += NR) {
                int len = Math.min(NR, nc - q), src = o.bOff + (jc + q) * o.ldb + pc, ldb = o.ldb;
                for (int p = 0; p < kc; p++) {
                    int dst = q * kc + p * NR, at = src + p;
                    for (int j = 0; j < len; j++) bp[dst + j] = b[at + j * ldb];
                    for (int j = len; j < NR; j++) bp[dst + j] = 0f;
                }
            }
        }
    }

    /**
     * The register tile: MR × NR chains, read from {@code from} (at fo, row stride fl), continued over kc steps of
     * A (element (r, p) at ao + r·rs + p·ps) and the B panel at bo, then written to {@code to} (at t0, row stride tl).
     */
    private static void tile(float[] a, int ao, int rs, int ps, float[] bp, int bo, int kc, float[] from, int fo, int fl,
                             float[] to, int t0, int tl) {
        int l = Simd.LANES, r1 = rs, r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs;
        FloatVector c00 = FloatVector.fromArray(Simd.F, from, fo), c01 = FloatVector.fromArray(Simd.F, from, fo + l);
        FloatVector c10 = FloatVector.fromArray(Simd.F, from, fo + fl), c11 = FloatVector.fromArray(Simd.F, from, fo + fl + l);
        FloatVector c20 = FloatVector.fromArray(Simd.F, from, fo + 2 * fl), c21 = FloatVector.fromArray(Simd.F, from, fo + 2 * fl + l);
        FloatVector c30 = FloatVector.fromArray(Simd.F, from, fo + 3 * fl), c31 = FloatVector.fromArray(Simd.F, from, fo + 3 * fl + l);
        FloatVector c40 = FloatVector.fromArray(Simd.F, from, fo + 4 * fl), c41 = FloatVector.fromArray(Simd.F, from, fo + 4 * fl + l);
        FloatVector c50 = FloatVector.fromArray(Simd.F, from, fo + 5 * fl), c51 = FloatVector.fromArray(Simd.F, from, fo + 5 * fl + l);
        for (int p = 0; p < kc; p++) {
            int x = ao + p * ps, y = bo + p * NR; // from p, not stepped: C2 then proves the loads in bounds and hoists the checks
            FloatVector b0 = FloatVector.fromArray(Simd.F, bp, y), b1 = FloatVector.fromArray(Simd.F, bp, y + l);
            // One line per tile row: broadcast a[row, p], then one fma per vector of B's row p.
            FloatVector v = FloatVector.broadcast(Simd.F, a[x]);      c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(Simd.F, a[x + r1]);             c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(Simd.F, a[x + r2]);             c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(Simd.F, a[x + r3]);             c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(Simd.F, a[x + r4]);             c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(Simd.F, a[x + r5]);             c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
        }
        c00.intoArray(to, t0);          c01.intoArray(to, t0 + l);
        c10.intoArray(to, t0 + tl);     c11.intoArray(to, t0 + tl + l);
        c20.intoArray(to, t0 + 2 * tl); c21.intoArray(to, t0 + 2 * tl + l);
        c30.intoArray(to, t0 + 3 * tl); c31.intoArray(to, t0 + 3 * tl + l);
        c40.intoArray(to, t0 + 4 * tl); c41.intoArray(to, t0 + 4 * tl + l);
        c50.intoArray(to, t0 + 5 * tl); c51.intoArray(to, t0 + 5 * tl + l);
    }

    /** {@link #tile} for a panel's first vector of columns only (MR × 1 vector of chains; the B panel's row stride stays NR). */
    private static void tile1(float[] a, int ao, int rs, int ps, float[] bp, int bo, int kc, float[] from, int fo, int fl,
                              float[] to, int t0, int tl) {
        int r1 = rs, r2 = 2 * rs, r3 = 3 * rs, r4 = 4 * rs, r5 = 5 * rs;
        FloatVector c0 = FloatVector.fromArray(Simd.F, from, fo), c1 = FloatVector.fromArray(Simd.F, from, fo + fl);
        FloatVector c2 = FloatVector.fromArray(Simd.F, from, fo + 2 * fl), c3 = FloatVector.fromArray(Simd.F, from, fo + 3 * fl);
        FloatVector c4 = FloatVector.fromArray(Simd.F, from, fo + 4 * fl), c5 = FloatVector.fromArray(Simd.F, from, fo + 5 * fl);
        for (int p = 0; p < kc; p++) {
            int x = ao + p * ps;
            FloatVector b0 = FloatVector.fromArray(Simd.F, bp, bo + p * NR);
            c0 = FloatVector.broadcast(Simd.F, a[x]).fma(b0, c0);
            c1 = FloatVector.broadcast(Simd.F, a[x + r1]).fma(b0, c1);
            c2 = FloatVector.broadcast(Simd.F, a[x + r2]).fma(b0, c2);
            c3 = FloatVector.broadcast(Simd.F, a[x + r3]).fma(b0, c3);
            c4 = FloatVector.broadcast(Simd.F, a[x + r4]).fma(b0, c4);
            c5 = FloatVector.broadcast(Simd.F, a[x + r5]).fma(b0, c5);
        }
        c0.intoArray(to, t0);          c1.intoArray(to, t0 + tl);
        c2.intoArray(to, t0 + 2 * tl); c3.intoArray(to, t0 + 3 * tl);
        c4.intoArray(to, t0 + 4 * tl); c5.intoArray(to, t0 + 5 * tl);
    }

    /** The rule of this class in plain scalar Java: its specification, and the tests' reference. */
    public static void reference(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                 float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                int at = cOff + i * ldc + j;
                float s = beta == 0f ? 0f : beta * c[at];
                for (int p = 0; p < k; p++) {
                    float x = a[aOff + (transA ? p * lda + i : i * lda + p)], y = b[bOff + (transB ? j * ldb + p : p * ldb + j)];
                    s = Math.fma(alpha * x, y, s);
                }
                c[at] = s;
            }
    }
}
