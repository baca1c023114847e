package org.voxkd.nn;

import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Activation;
import org.voxkd.kernels.Conv1d;
import org.voxkd.kernels.Linear;
import org.voxkd.kernels.Pooling;
import org.voxkd.kernels.Tensor;

/**
 * The MLP-Mixer student of the spec (H hidden, N blocks, E expansion, G groups). Data flow, rows = B·T:
 * <pre>
 *   input[R,M] ─conv3─bn─relu─► x0[R,H]
 *   block i:  u  = ln1(x) + bn(dwconv(ln1(x)))                       "ID conv"
 *             xm = x + drop(gp2(drop(gelu(gp1(u)))))                  grouped pointwise H→EH→H
 *             x' = xm + drop(fc2(drop(gelu(mfm(fc1(ln2(xm)))))))      H→2EH →MFM→ EH→H
 *   gp1 and fc1 run as a GEMM without bias and one fused epilogue (bias + GELU, bias + MFM + GELU); in EVAL mode
 *   (no dropout) gp2 and fc2 end the same way in bias + residual.
 *   ln(x_N) ─ attentive stats (channel-wise) ─► [B,2H] ─fc─bn─► embedding[B,D]
 * </pre>
 * Residual sums are written in place into the dropout outputs; the backward mirrors the flow.
 */
public final class Student implements SpeakerModel {
    private final StudentConfig cfg;
    private final ParameterSet params;

    public Student(StudentConfig cfg) {
        this.cfg = cfg;
        int m = cfg.mels(), h = cfg.hidden(), eh = cfg.expansion() * h, g = cfg.groups();
        ParameterSet.Builder b = ParameterSet.builder("student");
        Layers.affineParams(b, "stem_conv", false, h, m, 3);
        Layers.batchNormParams(b, "stem_bn", h);
        for (int i = 0; i < cfg.blocks(); i++) {
            String p = "blocks." + i + ".";
            Layers.layerNormParams(b, p + "ln1", h);
            Layers.affineParams(b, p + "idconv", false, h, 1, 3);
            Layers.batchNormParams(b, p + "idbn", h);
            Layers.affineParams(b, p + "gp1", true, eh, h / g, 1);
            Layers.affineParams(b, p + "gp2", true, h, eh / g, 1);
            Layers.layerNormParams(b, p + "ln2", h);
            Layers.affineParams(b, p + "fc1", true, 2 * eh, h);
            Layers.affineParams(b, p + "fc2", true, h, eh);
        }
        Layers.layerNormParams(b, "norm", h);
        Layers.affineParams(b, "attn1", true, h, h, 1);
        Layers.affineParams(b, "attn2", true, h, h, 1);
        Layers.affineParams(b, "fc", true, cfg.embedding(), 2 * h);
        Layers.batchNormParams(b, "bn", cfg.embedding());
        this.params = b.build();
    }

    public StudentConfig config() { return cfg; }

    @Override public String kind() { return "student"; }

    @Override public ParameterSet parameters() { return params; }

    @Override public int mels() { return cfg.mels(); }

    @Override public int embeddingSize() { return cfg.embedding(); }

    @Override public Pass plan(int batch, int frames, Mode mode, long dropoutSeed, Scalar step) {
        int r = batch * frames, m = cfg.mels(), h = cfg.hidden(), eh = cfg.expansion() * h, d = cfg.embedding();
        Pass.Builder pb = new Pass.Builder("student", batch, frames, mode, dropoutSeed, step);
        pb.saved("input", r * m).saved("stem.col", r * 3 * m).slot("stem.conv", r * h).slot("stem.bn", r * h).slot("stem.out", r * h);
        Layers.normSlots(pb, "stem_bn", h);
        for (int i = 0; i < cfg.blocks(); i++) {
            String p = "blocks." + i + ".";
            pb.slot(p + "ln1", r * h).slot(p + "dw", r * h).slot(p + "u", r * h).slot(p + "gp1", r * eh).slot(p + "g1", r * eh)
                    .dropoutSlot(p + "d1", p + "g1", r * eh).slot(p + "gp2", r * h).dropoutSlot(p + "xm", p + "gp2", r * h).slot(p + "ln2", r * h)
                    .slot(p + "fc1", r * 2 * eh).slot(p + "mfm", r * eh).slot(p + "g2", r * eh).dropoutSlot(p + "d3", p + "g2", r * eh)
                    .slot(p + "fc2", r * h).dropoutSlot(p + "out", p + "fc2", r * h);
            Layers.normSlots(pb, p + "ln1", r);
            Layers.normSlots(pb, p + "idbn", h);
            Layers.normSlots(pb, p + "ln2", r);
        }
        pb.slot("norm", r * h).slot("pool.hidden", r * h).slot("pool.attn", r * h).slot("pool.stats", batch * 2 * h)
                .slot("fc", batch * d).slot("embedding", batch * d);
        Layers.normSlots(pb, "norm", r);
        Layers.normSlots(pb, "bn", d);
        pb.scratch("pool.scratch1", r * h).scratch("pool.scratch2", r * h);
        return pb.build();
    }

    @Override public java.util.List<Tap> taps() {
        int h = cfg.hidden();
        java.util.List<Tap> t = new java.util.ArrayList<>();
        t.add(new Tap("stem.out", "stem.out", h, true));
        for (int i = 0; i < cfg.blocks(); i++) t.add(new Tap("block" + (i + 1) + ".out", "blocks." + i + ".out", h, true));
        t.add(new Tap("norm", "norm", h, true));
        t.add(new Tap("pool", "pool.stats", 2 * h, false));
        t.add(new Tap("embedding", "embedding", cfg.embedding(), false));
        return t;
    }

    private View blockInput(Pass p, int i) { return i == 0 ? p.act("stem.out") : p.act("blocks." + (i - 1) + ".out"); }

    private View blockInputGrad(Pass p, int i) { return i == 0 ? p.grad("stem.out") : p.grad("blocks." + (i - 1) + ".out"); }

    /** Dropout site ids: four per block. */
    private static int site(int block, int k) { return 16 * block + k; }

    @Override public void forward(TaskGraph g, Pass p) {
        int b = p.batch, t = p.frames, r = p.rows(), m = cfg.mels(), h = cfg.hidden(), eh = cfg.expansion() * h, gr = cfg.groups();
        float drop = cfg.dropout();
        ParameterSet ps = params;
        try (var s = g.scope("student.stem")) {
            Conv1d.conv3Forward(g, p.act("stem.conv"), p.act("stem.col"), p.input(), ps.value("stem_conv.weight"), null, b, t, m, h);
            Layers.batchNorm(g, p, ps, "stem_bn", p.act("stem.bn"), p.act("stem.conv"), r, h);
            Activation.reluForward(g, p.act("stem.out"), p.act("stem.bn"), r * h);
        }
        for (int i = 0; i < cfg.blocks(); i++) {
            String n = "blocks." + i + ".";
            View x = blockInput(p, i);
            try (var s = g.scope("student.block" + i)) {
                Layers.layerNorm(g, p, ps, n + "ln1", p.act(n + "ln1"), x, r, h);
                Conv1d.depthwiseForward(g, p.act(n + "dw"), p.act(n + "ln1"), ps.value(n + "idconv.weight"), b, t, h);
                Layers.batchNorm(g, p, ps, n + "idbn", p.act(n + "u"), p.act(n + "dw"), r, h);
                Tensor.add(g, p.act(n + "u"), p.act(n + "ln1"));
                // GEMMs without bias: the bias rides in the fused epilogue (one pass instead of two or three).
                Conv1d.groupedPointwiseForward(g, p.act(n + "gp1"), p.act(n + "u"), ps.value(n + "gp1.weight"), null, r, h, eh, gr);
                Activation.biasGeluForward(g, p.act(n + "g1"), p.act(n + "gp1"), ps.value(n + "gp1.bias"), r, eh, p.training());
                Layers.dropout(g, p, p.act(n + "d1"), p.act(n + "g1"), drop, site(i, 0));
                if (p.training()) {
                    Conv1d.groupedPointwiseForward(g, p.act(n + "gp2"), p.act(n + "d1"), ps.value(n + "gp2.weight"), ps.value(n + "gp2.bias"), r, eh, h, gr);
                    Layers.dropout(g, p, p.act(n + "xm"), p.act(n + "gp2"), drop, site(i, 1));
                    Tensor.add(g, p.act(n + "xm"), x);
                } else { // no dropout: bias and residual in one epilogue
                    Conv1d.groupedPointwiseForward(g, p.act(n + "gp2"), p.act(n + "d1"), ps.value(n + "gp2.weight"), null, r, eh, h, gr);
                    Linear.biasResidual(g, p.act(n + "xm"), p.act(n + "gp2"), ps.value(n + "gp2.bias"), x, r, h);
                }
                Layers.layerNorm(g, p, ps, n + "ln2", p.act(n + "ln2"), p.act(n + "xm"), r, h);
                Linear.forward(g, p.act(n + "fc1"), p.act(n + "ln2"), ps.value(n + "fc1.weight"), null, r, h, 2 * eh);
                Activation.biasMfmGeluForward(g, p.act(n + "g2"), p.act(n + "mfm"), p.act(n + "fc1"), ps.value(n + "fc1.bias"), r, eh, p.training());
                Layers.dropout(g, p, p.act(n + "d3"), p.act(n + "g2"), drop, site(i, 2));
                if (p.training()) {
                    Linear.forward(g, p.act(n + "fc2"), p.act(n + "d3"), ps.value(n + "fc2.weight"), ps.value(n + "fc2.bias"), r, eh, h);
                    Layers.dropout(g, p, p.act(n + "out"), p.act(n + "fc2"), drop, site(i, 3));
                    Tensor.add(g, p.act(n + "out"), p.act(n + "xm"));
                } else {
                    Linear.forward(g, p.act(n + "fc2"), p.act(n + "d3"), ps.value(n + "fc2.weight"), null, r, eh, h);
                    Linear.biasResidual(g, p.act(n + "out"), p.act(n + "fc2"), ps.value(n + "fc2.bias"), p.act(n + "xm"), r, h);
                }
            }
        }
        try (var s = g.scope("student.head")) {
            Layers.layerNorm(g, p, ps, "norm", p.act("norm"), blockInput(p, cfg.blocks()), r, h);
            Pooling.attentiveStatsForward(g, p.act("pool.stats"), p.act("pool.hidden"), p.act("pool.attn"), p.act("norm"),
                    ps.value("attn1.weight"), ps.value("attn1.bias"), ps.value("attn2.weight"), ps.value("attn2.bias"), b, t, h,
                    Pooling.Attention.CHANNEL);
            Linear.forward(g, p.act("fc"), p.act("pool.stats"), ps.value("fc.weight"), ps.value("fc.bias"), b, 2 * h, cfg.embedding());
            Layers.batchNorm(g, p, ps, "bn", p.embedding(), p.act("fc"), b, cfg.embedding());
        }
    }

    @Override public void backward(TaskGraph g, Pass p) {
        int b = p.batch, t = p.frames, r = p.rows(), m = cfg.mels(), h = cfg.hidden(), eh = cfg.expansion() * h, gr = cfg.groups();
        int d = cfg.embedding();
        float drop = cfg.dropout();
        ParameterSet ps = params;
        p.zeroGradientsExceptInjected(g);
        View de = p.dEmbedding();
        try (var s = g.scope("student.head")) {
            Layers.batchNormBackward(g, p, ps, "bn", p.grad("fc"), de, p.act("fc"), b, d);
            Linear.backward(g, p.grad("pool.stats"), ps.grad("fc.weight"), ps.grad("fc.bias"), p.grad("fc"), p.act("pool.stats"),
                    ps.value("fc.weight"), b, 2 * h, d);
            Pooling.attentiveStatsBackward(g, p.grad("norm"), ps.grad("attn1.weight"), ps.grad("attn1.bias"), ps.grad("attn2.weight"),
                    ps.grad("attn2.bias"), p.grad("pool.scratch1"), p.grad("pool.scratch2"), p.grad("pool.stats"), p.act("norm"),
                    p.act("pool.hidden"), p.act("pool.attn"), ps.value("attn1.weight"), ps.value("attn2.weight"), b, t, h,
                    Pooling.Attention.CHANNEL);
            Layers.layerNormBackward(g, p, ps, "norm", blockInputGrad(p, cfg.blocks()), p.grad("norm"), blockInput(p, cfg.blocks()), r, h);
        }
        for (int i = cfg.blocks() - 1; i >= 0; i--) {
            String n = "blocks." + i + ".";
            View x = blockInput(p, i), dx = blockInputGrad(p, i);
            try (var s = g.scope("student.block" + i)) {
                Tensor.add(g, p.grad(n + "xm"), p.grad(n + "out"));
                Layers.dropoutBackward(g, p, p.grad(n + "fc2"), p.grad(n + "out"), drop, site(i, 3));
                Linear.backward(g, p.grad(n + "d3"), ps.grad(n + "fc2.weight"), ps.grad(n + "fc2.bias"), p.grad(n + "fc2"), p.act(n + "d3"),
                        ps.value(n + "fc2.weight"), r, eh, h);
                Layers.dropoutBackward(g, p, p.grad(n + "g2"), p.grad(n + "d3"), drop, site(i, 2));
                Activation.geluBackward(g, p.grad(n + "mfm"), p.grad(n + "g2"), p.act(n + "mfm"), r * eh);
                Activation.mfmBackward(g, p.grad(n + "fc1"), p.grad(n + "mfm"), p.act(n + "fc1"), r, eh);
                Linear.backward(g, p.grad(n + "ln2"), ps.grad(n + "fc1.weight"), ps.grad(n + "fc1.bias"), p.grad(n + "fc1"), p.act(n + "ln2"),
                        ps.value(n + "fc1.weight"), r, h, 2 * eh);
                Layers.layerNormBackward(g, p, ps, n + "ln2", p.grad(n + "xm"), p.grad(n + "ln2"), p.act(n + "xm"), r, h);
                Tensor.add(g, dx, p.grad(n + "xm"));
                Layers.dropoutBackward(g, p, p.grad(n + "gp2"), p.grad(n + "xm"), drop, site(i, 1));
                Conv1d.groupedPointwiseBackward(g, p.grad(n + "d1"), ps.grad(n + "gp2.weight"), ps.grad(n + "gp2.bias"), p.grad(n + "gp2"),
                        p.act(n + "d1"), ps.value(n + "gp2.weight"), r, eh, h, gr);
                Layers.dropoutBackward(g, p, p.grad(n + "g1"), p.grad(n + "d1"), drop, site(i, 0));
                Activation.geluBackward(g, p.grad(n + "gp1"), p.grad(n + "g1"), p.act(n + "gp1"), r * eh);
                Conv1d.groupedPointwiseBackward(g, p.grad(n + "u"), ps.grad(n + "gp1.weight"), ps.grad(n + "gp1.bias"), p.grad(n + "gp1"),
                        p.act(n + "u"), ps.value(n + "gp1.weight"), r, h, eh, gr);
                Tensor.add(g, p.grad(n + "ln1"), p.grad(n + "u"));
                Layers.batchNormBackward(g, p, ps, n + "idbn", p.grad(n + "dw"), p.grad(n + "u"), p.act(n + "dw"), r, h);
                Conv1d.depthwiseBackward(g, p.grad(n + "ln1"), ps.grad(n + "idconv.weight"), p.grad(n + "dw"), p.act(n + "ln1"),
                        ps.value(n + "idconv.weight"), b, t, h);
                Layers.layerNormBackward(g, p, ps, n + "ln1", dx, p.grad(n + "ln1"), x, r, h);
            }
        }
        try (var s = g.scope("student.stem")) {
            Activation.reluBackward(g, p.grad("stem.bn"), p.grad("stem.out"), p.act("stem.bn"), r * h);
            Layers.batchNormBackward(g, p, ps, "stem_bn", p.grad("stem.conv"), p.grad("stem.bn"), p.act("stem.conv"), r, h);
            Conv1d.conv3Backward(g, null, ps.grad("stem_conv.weight"), null, null, p.grad("stem.conv"), p.act("stem.col"),
                    ps.value("stem_conv.weight"), b, t, m, h);
        }
    }
}
