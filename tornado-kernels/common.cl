// common.cl — prepended to every family before the driver compiles it.
// Argument convention (engine/Kernel.java): every tensor arrives as (global float* base, int offset).
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

// Philox4x32-10, the counter-based generator of engine/Philox.java: same words on every device.
inline uint4 philox4x32_10(uint4 c, uint2 k) {
    for (int r = 0; r < 10; r++) {
        uint hi0 = mul_hi(0xD2511F53u, c.x), lo0 = 0xD2511F53u * c.x;
        uint hi1 = mul_hi(0xCD9E8D57u, c.z), lo1 = 0xCD9E8D57u * c.z;
        c = (uint4)(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
        k += (uint2)(0x9E3779B9u, 0xBB67AE85u);
    }
    return c;
}

// Uniform in [0, 1) from the top 24 bits: exact in float.
inline float philox_uniform(uint w) { return (float)(w >> 8) * 0x1.0p-24f; }

// ---- reductions over rows (engine/opencl/Reductions.java) ----
// A [rows, C] column reduction runs in two launches, deterministic and without atomics:
//   partial: work group (RED_X channels x RED_Y lanes) per (channel block, chunk of rows); lane ly sums the chunk's
//            rows ly, ly + RED_Y, ... in order, then the RED_Y lanes of each channel fold in a fixed tree;
//            one double per (chunk, channel, sum) goes to the scratch buffer.
//   final:   one work item per channel adds its chunks in order and writes the result.
// The chunking depends on the shape only (Reductions.chunks), so the same shape always sums in the same order.
#define RED_X 16
#define RED_Y 16

// Folds the RED_Y lane sums of column lx held in s[ly * RED_X + lx]; every item of the group must call it.
inline double red_fold(__local double* s, int lx, int ly) {
    for (int w = RED_Y / 2; w > 0; w >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (ly < w) s[ly * RED_X + lx] += s[(ly + w) * RED_X + lx];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    return s[lx];
}

// Stores the folded sums of nq accumulators acc[0..nq) of this item's group into part[po + (chunk * c + j) * nq + q];
// s is the kernel's __local double[RED_X * RED_Y].
inline void red_store(__local double* s, __global double* part, int po, const double* acc, int nq, int c) {
    int lx = get_local_id(0), ly = get_local_id(1), j = get_group_id(0) * RED_X + lx;
    for (int q = 0; q < nq; q++) {
        s[ly * RED_X + lx] = acc[q];
        double total = red_fold(s, lx, ly);
        if (ly == 0 && j < c) part[po + ((long) get_group_id(1) * c + j) * nq + q] = total;
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// The rows [r0, r1) of this group's chunk and this item's channel j (j may be >= c: the item still folds).
#define RED_ROWS(rows, chunk, c)                                                                 \
    int j = get_group_id(0) * RED_X + get_local_id(0);                                            \
    int r0 = get_group_id(1) * (chunk), r1 = min((rows), r0 + (chunk));                           \
    int live = j < (c);

// Sum over the chunks of partial sum q of channel j, chunks in order.
inline double red_total(__global const double* part, int po, int chunks, int c, int j, int nq, int q) {
    double s = 0.0;
    for (int p = 0; p < chunks; p++) s += part[po + ((long) p * c + j) * nq + q];
    return s;
}
