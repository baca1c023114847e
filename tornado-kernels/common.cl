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
