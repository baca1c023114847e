package org.voxkd.nn;

import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Activation;
import org.voxkd.kernels.Conv1d;
import org.voxkd.kernels.Linear;
import org.voxkd.kernels.Lstm;
import org.voxkd.kernels.Pooling;

/**
 * The LSTM + autoencoder teacher of the spec. Data flow, rows = B·T:
 * <pre>
 *   input[R,M] ─(conv3+b─bn─relu─drop) ×2─ conv3+b─bn─relu ─► latent[R,128]
 *   latent ─ BiLSTM layer 0 ─drop─ BiLSTM layer 1 ─► h[R,512] ─ln─►
 *   attentive stats (scalar attention per frame) ─► [B,1024] ─fc─bn─► embedding[B,512]
 * </pre>
 * The decoder's parameters exist (and are counted and checkpointed) but nothing reads its output, as in
 * the original; they receive no gradient, so the optimiser leaves them as initialised (PyTorch skips them: their
 * .grad is None, and Adam's L2 term must not shrink them either).
 */
public final class Teacher implements SpeakerModel {
    private final TeacherConfig cfg;
    private final ParameterSet params;

    public Teacher(TeacherConfig cfg) {
        this.cfg = cfg;
        int m = cfg.mels(), c = cfg.channels(), z = cfg.latent(), h = cfg.lstmHidden();
        ParameterSet.Builder b = ParameterSet.builder("teacher");
        int[][] enc = {{m, c}, {c, c}, {c, z}}, dec = {{z, c}, {c, c}, {c, m}};
        for (int i = 0; i < 3; i++) {
            Layers.affineParams(b, "encoder." + i + ".conv", true, enc[i][1], enc[i][0], 3);
            Layers.batchNormParams(b, "encoder." + i + ".bn", enc[i][1]);
        }
        for (int i = 0; i < 3; i++) {
            Layers.affineParams(b, "decoder." + i + ".conv", true, dec[i][1], dec[i][0], 3);
            if (i < 2) Layers.batchNormParams(b, "decoder." + i + ".bn", dec[i][1]);
        }
        b.noGradient("decoder.");
        for (int l = 0; l < cfg.lstmLayers(); l++) {
            int in = l == 0 ? z : 2 * h;
            for (String dir : new String[] {"", "_reverse"}) {
                b.param("lstm.weight_ih_l" + l + dir, Init.fanIn(h), 4 * h, in);
                b.param("lstm.weight_hh_l" + l + dir, Init.fanIn(h), 4 * h, h);
                b.param("lstm.bias_ih_l" + l + dir, Init.fanIn(h), 4 * h);
                b.param("lstm.bias_hh_l" + l + dir, Init.fanIn(h), 4 * h);
            }
        }
        Layers.layerNormParams(b, "ln", 2 * h);
        Layers.affineParams(b, "attn_fc1", true, 2 * h, 2 * h);
        Layers.affineParams(b, "attn_fc2", true, 1, 2 * h);
        Layers.affineParams(b, "fc", true, cfg.embedding(), 4 * h);
        Layers.batchNormParams(b, "bn", cfg.embedding());
        this.params = b.build();
    }

    public TeacherConfig config() { return cfg; }

    @Override public String kind() { return "teacher"; }

    @Override public ParameterSet parameters() { return params; }

    @Override public int mels() { return cfg.mels(); }

    @Override public int embeddingSize() { return cfg.embedding(); }

    /** Parameters without the (unused) decoder: 3,515,777 for the standard teacher. */
    public int parameterCountWithoutDecoder() {
        return params.entries().stream().filter(e -> e.trainable() && !e.name().startsWith("decoder.")).mapToInt(ParameterSet.Entry::size).sum();
    }

    private int[] encoderChannels() { return new int[] {cfg.mels(), cfg.channels(), cfg.channels(), cfg.latent()}; }

    @Override public Pass plan(int batch, int frames, Mode mode, long dropoutSeed, Scalar step) {
        int r = batch * frames, h = cfg.lstmHidden(), d = cfg.embedding();
        int[] ch = encoderChannels();
        Pass.Builder pb = new Pass.Builder("teacher", batch, frames, mode, dropoutSeed, step);
        pb.saved("input", r * ch[0]);
        for (int i = 0; i < 3; i++) {
            String n = "enc" + i + ".";
            pb.saved(n + "col", r * 3 * ch[i]).slot(n + "conv", r * ch[i + 1]).slot(n + "bn", r * ch[i + 1]);
            if (i < 2) pb.slot(n + "relu", r * ch[i + 1]).dropoutSlot(n + "out", n + "relu", r * ch[i + 1]);
            else pb.slot(n + "out", r * ch[i + 1]);
            if (i > 0) pb.scratch(n + "dcol", r * 3 * ch[i]);
            Layers.normSlots(pb, "encoder." + i + ".bn", ch[i + 1]);
        }
        for (int l = 0; l < cfg.lstmLayers(); l++) {
            String n = "lstm" + l + ".";
            pb.slot(n + "y", r * 2 * h).saved(n + "gates", Lstm.gatesSize(batch, frames, h)).saved(n + "cells", Lstm.stateSize(batch, frames, h))
                    .saved(n + "hprev", Lstm.stateSize(batch, frames, h)).scratch(n + "scratch", Lstm.scratchSize(batch, frames, h));
            if (l + 1 < cfg.lstmLayers()) pb.dropoutSlot(n + "out", n + "y", r * 2 * h);
        }
        pb.slot("ln", r * 2 * h).slot("pool.hidden", r * 2 * h).slot("pool.attn", r).slot("pool.stats", batch * 4 * h)
                .slot("fc", batch * d).slot("embedding", batch * d)
                .scratch("pool.scratch1", r * 2 * h).scratch("pool.scratch2", r * 2 * h);
        Layers.normSlots(pb, "ln", r);
        Layers.normSlots(pb, "bn", d);
        return pb.build();
    }

    @Override public java.util.List<Tap> taps() {
        int[] ch = encoderChannels();
        java.util.List<Tap> t = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) t.add(new Tap("encoder" + (i + 1) + ".out", "enc" + i + ".out", ch[i + 1], true));
        for (int l = 0; l < cfg.lstmLayers(); l++) t.add(new Tap("lstm" + (l + 1) + ".out", "lstm" + l + ".y", 2 * cfg.lstmHidden(), true));
        t.add(new Tap("ln", "ln", 2 * cfg.lstmHidden(), true));
        t.add(new Tap("pool", "pool.stats", 4 * cfg.lstmHidden(), false));
        t.add(new Tap("embedding", "embedding", cfg.embedding(), false));
        return t;
    }

    private View encoderInput(Pass p, int i) { return i == 0 ? p.input() : p.act("enc" + (i - 1) + ".out"); }

    private View lstmInput(Pass p, int l) { return l == 0 ? p.act("enc2.out") : p.act("lstm" + (l - 1) + ".out"); }

    private View lstmInputGrad(Pass p, int l) { return l == 0 ? p.grad("enc2.out") : p.grad("lstm" + (l - 1) + ".out"); }

    private Lstm.Params lstmParams(int l, String dir, boolean grad) {
        ParameterSet ps = params;
        String s = "_l" + l + dir;
        return grad ? new Lstm.Params(ps.grad("lstm.weight_ih" + s), ps.grad("lstm.weight_hh" + s), ps.grad("lstm.bias_ih" + s), ps.grad("lstm.bias_hh" + s))
                : new Lstm.Params(ps.value("lstm.weight_ih" + s), ps.value("lstm.weight_hh" + s), ps.value("lstm.bias_ih" + s), ps.value("lstm.bias_hh" + s));
    }

    /** Dropout site ids: encoder i → i, between LSTM layers l → 8 + l. */
    @Override public void forward(TaskGraph g, Pass p) {
        int b = p.batch, t = p.frames, r = p.rows(), h = cfg.lstmHidden(), d = cfg.embedding();
        int[] ch = encoderChannels();
        ParameterSet ps = params;
        for (int i = 0; i < 3; i++) {
            String n = "enc" + i + ".", w = "encoder." + i + ".";
            try (var s = g.scope("teacher.encoder" + i)) {
                Conv1d.conv3Forward(g, p.act(n + "conv"), p.act(n + "col"), encoderInput(p, i), ps.value(w + "conv.weight"),
                        ps.value(w + "conv.bias"), b, t, ch[i], ch[i + 1]);
                Layers.batchNorm(g, p, ps, w + "bn", p.act(n + "bn"), p.act(n + "conv"), r, ch[i + 1]);
                if (i < 2) {
                    Activation.reluForward(g, p.act(n + "relu"), p.act(n + "bn"), r * ch[i + 1]);
                    Layers.dropout(g, p, p.act(n + "out"), p.act(n + "relu"), cfg.encoderDropout(), i);
                } else {
                    Activation.reluForward(g, p.act(n + "out"), p.act(n + "bn"), r * ch[i + 1]);
                }
            }
        }
        for (int l = 0; l < cfg.lstmLayers(); l++) {
            String n = "lstm" + l + ".";
            int in = l == 0 ? cfg.latent() : 2 * h;
            try (var s = g.scope("teacher.lstm" + l)) {
                Lstm.lstmLayerForward(g, p.act(n + "y"), p.act(n + "gates"), p.act(n + "cells"), p.act(n + "hprev"), lstmInput(p, l),
                        lstmParams(l, "", false), lstmParams(l, "_reverse", false), b, t, in, h);
                if (l + 1 < cfg.lstmLayers()) Layers.dropout(g, p, p.act(n + "out"), p.act(n + "y"), cfg.lstmDropout(), 8 + l);
            }
        }
        View top = p.act("lstm" + (cfg.lstmLayers() - 1) + ".y");
        try (var s = g.scope("teacher.head")) {
            Layers.layerNorm(g, p, ps, "ln", p.act("ln"), top, r, 2 * h);
            Pooling.attentiveStatsForward(g, p.act("pool.stats"), p.act("pool.hidden"), p.act("pool.attn"), p.act("ln"),
                    ps.value("attn_fc1.weight"), ps.value("attn_fc1.bias"), ps.value("attn_fc2.weight"), ps.value("attn_fc2.bias"),
                    b, t, 2 * h, Pooling.Attention.SCALAR);
            Linear.forward(g, p.act("fc"), p.act("pool.stats"), ps.value("fc.weight"), ps.value("fc.bias"), b, 4 * h, d);
            Layers.batchNorm(g, p, ps, "bn", p.embedding(), p.act("fc"), b, d);
        }
    }

    @Override public void backward(TaskGraph g, Pass p) {
        int b = p.batch, t = p.frames, r = p.rows(), h = cfg.lstmHidden(), d = cfg.embedding();
        int[] ch = encoderChannels();
        ParameterSet ps = params;
        p.zeroGradientsExceptInjected(g);
        View de = p.dEmbedding();
        int top = cfg.lstmLayers() - 1;
        try (var s = g.scope("teacher.head")) {
            Layers.batchNormBackward(g, p, ps, "bn", p.grad("fc"), de, p.act("fc"), b, d);
            Linear.backward(g, p.grad("pool.stats"), ps.grad("fc.weight"), ps.grad("fc.bias"), p.grad("fc"), p.act("pool.stats"),
                    ps.value("fc.weight"), b, 4 * h, d);
            Pooling.attentiveStatsBackward(g, p.grad("ln"), ps.grad("attn_fc1.weight"), ps.grad("attn_fc1.bias"), ps.grad("attn_fc2.weight"),
                    ps.grad("attn_fc2.bias"), p.grad("pool.scratch1"), p.grad("pool.scratch2"), p.grad("pool.stats"), p.act("ln"),
                    p.act("pool.hidden"), p.act("pool.attn"), ps.value("attn_fc1.weight"), ps.value("attn_fc2.weight"), b, t, 2 * h,
                    Pooling.Attention.SCALAR);
            Layers.layerNormBackward(g, p, ps, "ln", p.grad("lstm" + top + ".y"), p.grad("ln"), p.act("lstm" + top + ".y"), r, 2 * h);
        }
        for (int l = top; l >= 0; l--) {
            String n = "lstm" + l + ".";
            int in = l == 0 ? cfg.latent() : 2 * h;
            try (var s = g.scope("teacher.lstm" + l)) {
                if (l < top) Layers.dropoutBackward(g, p, p.grad(n + "y"), p.grad(n + "out"), cfg.lstmDropout(), 8 + l);
                Lstm.lstmLayerBackward(g, lstmInputGrad(p, l), lstmParams(l, "", true), lstmParams(l, "_reverse", true), p.grad(n + "scratch"),
                        p.grad(n + "y"), lstmInput(p, l), p.act(n + "gates"), p.act(n + "cells"), p.act(n + "hprev"),
                        lstmParams(l, "", false), lstmParams(l, "_reverse", false), b, t, in, h);
            }
        }
        for (int i = 2; i >= 0; i--) {
            String n = "enc" + i + ".", w = "encoder." + i + ".";
            try (var s = g.scope("teacher.encoder" + i)) {
                View dRelu = i < 2 ? p.grad(n + "relu") : p.grad(n + "out");
                if (i < 2) Layers.dropoutBackward(g, p, dRelu, p.grad(n + "out"), cfg.encoderDropout(), i);
                Activation.reluBackward(g, p.grad(n + "bn"), dRelu, p.act(n + "bn"), r * ch[i + 1]);
                Layers.batchNormBackward(g, p, ps, w + "bn", p.grad(n + "conv"), p.grad(n + "bn"), p.act(n + "conv"), r, ch[i + 1]);
                Conv1d.conv3Backward(g, i == 0 ? null : p.grad("enc" + (i - 1) + ".out"), ps.grad(w + "conv.weight"), ps.grad(w + "conv.bias"),
                        i == 0 ? null : p.grad(n + "dcol"), p.grad(n + "conv"), p.act(n + "col"), ps.value(w + "conv.weight"), b, t, ch[i], ch[i + 1]);
            }
        }
    }
}
