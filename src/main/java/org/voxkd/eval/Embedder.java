package org.voxkd.eval;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.engine.Backend;
import org.voxkd.engine.DataTransferMode;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.nn.Mode;
import org.voxkd.nn.Pass;
import org.voxkd.nn.SpeakerModel;

/**
 * Embeddings of feature crops with a model in inference mode. One recorded graph per crop shape
 * (count × frames), kept in a small LRU cache: fixed-crop evaluation uses one graph for every utterance,
 * whole-utterance evaluation one per distinct length. Weights are uploaded once per graph.
 */
public final class Embedder implements CropEmbedder, AutoCloseable {
    private static final int CACHE = 8;

    private final SpeakerModel model;
    private final Backend backend;
    private final float[] params, state;
    private final Map<Long, Compiled> plans = new LinkedHashMap<>(16, 0.75f, true);
    private boolean profiling;

    private record Compiled(ExecutionPlan plan, float[] input, float[] output) {}

    public Embedder(SpeakerModel model, Backend backend, float[] params, float[] state) {
        this.model = model;
        this.backend = backend;
        this.params = params;
        this.state = state;
    }

    /** The embeddings ([crops][D]) of equally long feature crops ([frames·mels] each). */
    @Override public float[][] embed(List<float[]> crops) {
        int n = crops.size(), mels = model.mels();
        if (n == 0) throw new IllegalArgumentException("no crops to embed");
        int frames = crops.get(0).length / mels;
        for (float[] c : crops)
            if (c.length != frames * mels) throw new IllegalArgumentException("crops differ in length: " + c.length + " vs " + frames * mels);
        // BatchNorm in inference mode is per-sample, so a batch of one crop or ten gives the same embeddings.
        Compiled c = plans.get(key(n, frames));
        if (c == null) c = compile(n, frames);
        for (int i = 0; i < n; i++) System.arraycopy(crops.get(i), 0, c.input, i * frames * mels, frames * mels);
        c.plan.execute();
        int d = model.embeddingSize();
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) System.arraycopy(c.output, i * d, out[i], 0, d);
        return out;
    }

    /** Per-task timing on or off for every graph, present and future (see {@link ExecutionPlan#withProfiler}). */
    public Embedder profiled(boolean on) {
        profiling = on;
        for (Compiled c : plans.values()) c.plan.withProfiler(on);
        return this;
    }

    /** The profile of all cached graphs together, summed per kernel over layers. */
    public java.util.List<String> profileByKernel(int top) { return ExecutionPlan.profileTable(profileTotals(), top, true); }

    /** The raw profile of all cached graphs together: {total ns, launches} per task name. */
    public Map<String, long[]> profileTotals() {
        Map<String, long[]> all = new LinkedHashMap<>();
        for (Compiled c : plans.values())
            c.plan.profile().forEach((k, v) -> {
                long[] acc = all.computeIfAbsent(k, x -> new long[2]);
                acc[0] += v[0];
                acc[1] += v[1];
            });
        return all;
    }

    private static long key(int n, int frames) { return ((long) n << 32) | frames; }

    private Compiled compile(int n, int frames) {
        if (plans.size() >= CACHE) {
            Iterator<Map.Entry<Long, Compiled>> eldest = plans.entrySet().iterator();
            eldest.next().getValue().plan.close();
            eldest.remove();
        }
        Pass pass = model.plan(n, frames, Mode.EVAL, 0, Scalar.ofInt("step", 0));
        float[] in = new float[pass.input().length()], out = new float[pass.embedding().length()];
        TaskGraph g = new TaskGraph("embed")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, model.parameters().params(), params)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, model.parameters().state(), state)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, pass.input(), in);
        model.forward(g, pass);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, pass.embedding(), out);
        Compiled c = new Compiled(new ExecutionPlan(backend, g.snapshot()).withProfiler(profiling), in, out);
        plans.put(key(n, frames), c);
        return c;
    }

    @Override public void close() {
        for (Compiled c : plans.values()) c.plan.close();
        plans.clear();
    }
}
