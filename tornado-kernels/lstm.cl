// lstm.cl — the LSTM cell kernels of one time step (kernels/Lstm.java); the GEMMs go to CLBlast.
// One work item per (batch item b, hidden unit j) of the step: all its reads and writes are its own elements.
// Gate rows hold the blocks i, f, g, o of H floats each (PyTorch's order); row (b, t) is b*T + t.

// The activations in double, rounded to float, as the cpu body computes them.
inline float sigmoid_d(float v) { return (float) (1.0 / (1.0 + exp(-(double) v))); }
inline float tanh_d(float v) { return (float) tanh((double) v); }

// Activates gates[b, s] in place, writes c[b, s], h into y[b, s, yOff + j] and the next step's hprev[b, sn]
// (hprev[b, s] = 0 at the first step). sp / sn: the previous / next step in visiting order, -1 where none.
__kernel void lstm_cell_fwd(__global float* gates, int go, __global float* cells, int co, __global float* hprev, int ho,
                            __global float* y, int yo, int batch, int t, int h, int ys, int yOff, int s, int sp, int sn) {
    int id = get_global_id(0);
    if (id >= batch * h) return;
    int b = id / h, j = id - b * h;
    int row = b * t + s, gr = go + row * 4 * h;
    float i = sigmoid_d(gates[gr + j]), f = sigmoid_d(gates[gr + h + j]);
    float g = tanh_d(gates[gr + 2 * h + j]), o = sigmoid_d(gates[gr + 3 * h + j]);
    gates[gr + j] = i;
    gates[gr + h + j] = f;
    gates[gr + 2 * h + j] = g;
    gates[gr + 3 * h + j] = o;
    float cp = sp >= 0 ? cells[co + (b * t + sp) * h + j] : 0.0f;
    float c = f * cp + i * g;
    float hv = (float) (o * tanh((double) c));
    cells[co + row * h + j] = c;
    y[yo + row * ys + yOff + j] = hv;
    if (sn >= 0) hprev[ho + (b * t + sn) * h + j] = hv;
    if (sp < 0) hprev[ho + row * h + j] = 0.0f;
}

// Backward of step s: overwrites dgates[b, s] and dc[b] (the recurrent cell gradient for the step before);
// reads dh[b] and dc[b] from the step after s (none when sn = -1) and dy[b, s, yOff + j].
__kernel void lstm_cell_bwd(__global float* dgates, int dgo, __global float* dcs, int dco, __global const float* dhs, int dho,
                            __global const float* dy, int dyo, __global const float* gates, int go,
                            __global const float* cells, int co, int batch, int t, int h, int ys, int yOff,
                            int s, int sp, int sn) {
    int id = get_global_id(0);
    if (id >= batch * h) return;
    int b = id / h, j = id - b * h;
    int row = b * t + s, gr = go + row * 4 * h, dgr = dgo + row * 4 * h;
    float i = gates[gr + j], f = gates[gr + h + j], g = gates[gr + 2 * h + j], o = gates[gr + 3 * h + j];
    float c = cells[co + row * h + j], cp = sp >= 0 ? cells[co + (b * t + sp) * h + j] : 0.0f;
    float tc = tanh_d(c);
    float dh = dy[dyo + row * ys + yOff + j] + (sn >= 0 ? dhs[dho + b * h + j] : 0.0f);
    float dc = (sn >= 0 ? dcs[dco + b * h + j] : 0.0f) + dh * o * (1.0f - tc * tc);
    dgates[dgr + j] = dc * g * i * (1.0f - i);
    dgates[dgr + h + j] = dc * cp * f * (1.0f - f);
    dgates[dgr + 2 * h + j] = dc * i * (1.0f - g * g);
    dgates[dgr + 3 * h + j] = dh * tc * o * (1.0f - o);
    dcs[dco + b * h + j] = dc * f;
}
