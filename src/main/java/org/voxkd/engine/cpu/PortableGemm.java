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

    /** Per-thread scratch: the packed B panel, a packed partial A tile, a C tile for the edges. */
    private static final class Scratch {
        float[] b = new float[KC * (NC + NR)], a = new float[MR * KC], c = new float[MR * NR];
    }

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
                packB(o, pc, kc, jc, nc, ncp, s);
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
                        if (rows == MR && cols == NR && !o.transC) {
                            tile(a, ao, rs, ps, s.b, jr * kc, kc, zero ? ZERO_TILE : o.c, zero ? 0 : at, zero ? NR : o.ldc, o.c, at, o.ldc);
                            continue;
                        }
                        // An edge or transposed tile: through a full-size copy, whose extra rows and columns are computed and dropped.
                        if (!zero) edge(o, ir, j, rows, cols, s.c, true);
                        tile(a, ao, rs, ps, s.b, jr * kc, kc, zero ? ZERO_TILE : s.c, 0, NR, s.c, 0, NR);
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
    private static void packB(Operands o, int pc, int kc, int jc, int nc, int ncp, Scratch s) {
        if (s.b.length < kc * ncp) s.b = new float[kc * ncp];
        float[] bp = s.b, b = o.b;
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
            for (int j = 0; j < ncp; j++) {
                int base = j / NR * NR * kc + j % NR, src = o.bOff + (jc + j) * o.ldb + pc;
                if (j >= nc) for (int p = 0; p < kc; p++) bp[base + p * NR] = 0f;
                else for (int p = 0; p < kc; p++) bp[base + p * NR] = b[src + p];
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
