package org.voxkd.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.DataTransferMode;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.ImmutableTaskGraph;
import org.voxkd.engine.Philox;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;

/**
 * Times one op's forward and backward graphs on a backend: random inputs, warm-up, then the median
 * of timed executions (each execution waits for the device, so the figure includes launch overhead).
 */
public final class OpBench {
    /** One measured row of the table. */
    public record Row(String op, String shape, double forwardMs, double backwardMs, double forwardGflop, double backwardGflop) {
        public double forwardGflops() { return forwardGflop / (forwardMs / 1e3); }

        public double backwardGflops() { return backwardGflop / (backwardMs / 1e3); }
    }

    private final String op, shape;
    private final Map<String, Integer> tensors = new LinkedHashMap<>();
    private BiConsumer<TaskGraph, Map<String, View>> forward, backward;
    private double forwardGflop = Double.NaN, backwardGflop = Double.NaN;

    public OpBench(String op, String shape) {
        this.op = op;
        this.shape = shape;
    }

    /** Declares a tensor (filled with uniform values in [−1, 1)). */
    public OpBench tensor(String name, int length) {
        tensors.put(name, length);
        return this;
    }

    public OpBench forward(BiConsumer<TaskGraph, Map<String, View>> f) { forward = f; return this; }

    public OpBench backward(BiConsumer<TaskGraph, Map<String, View>> b) { backward = b; return this; }

    /** Floating-point work in GFLOP, for the GFLOPS column (GEMM-based ops). */
    public OpBench flops(double forwardGflop, double backwardGflop) {
        this.forwardGflop = forwardGflop;
        this.backwardGflop = backwardGflop;
        return this;
    }

    public String op() { return op; }

    public Row run(Backend backend, int warmup, int reps) {
        Map<String, View> views = new LinkedHashMap<>();
        TaskGraph holder = new TaskGraph(op + ".tensors");
        float[] one = new float[1];
        for (var e : tensors.entrySet()) {
            View v = new Buffer(op + "." + e.getKey(), e.getValue()).all();
            views.put(e.getKey(), v);
            holder.transferToHost(DataTransferMode.UNDER_DEMAND, v.slice(0, 1), one);
        }
        List<ImmutableTaskGraph> graphs = new ArrayList<>();
        TaskGraph f = new TaskGraph(op + ".forward");
        forward.accept(f, views);
        graphs.add(f.snapshot());
        if (backward != null) {
            TaskGraph b = new TaskGraph(op + ".backward");
            backward.accept(b, views);
            graphs.add(b.snapshot());
        }
        graphs.add(holder.snapshot());
        try (ExecutionPlan plan = new ExecutionPlan(backend, graphs.toArray(ImmutableTaskGraph[]::new))) {
            Philox.Stream rnd = new Philox.Stream(42, op.hashCode());
            for (View v : views.values()) {
                float[] data = new float[v.length()];
                for (int i = 0; i < data.length; i++) data[i] = (float) (2 * rnd.nextDouble() - 1);
                plan.write(v, data);
            }
            double fwd = time(plan, 0, warmup, reps);
            double bwd = backward == null ? Double.NaN : time(plan, 1, warmup, reps);
            return new Row(op, shape, fwd, bwd, forwardGflop, backwardGflop);
        }
    }

    /** Median wall time in ms of {@code reps} executions of graph {@code index}. */
    static double time(ExecutionPlan plan, int index, int warmup, int reps) {
        for (int i = 0; i < warmup; i++) plan.execute(index);
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            plan.execute(index);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[reps / 2];
    }
}
