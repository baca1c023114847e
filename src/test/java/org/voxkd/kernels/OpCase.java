package org.voxkd.kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.DataTransferMode;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.ImmutableTaskGraph;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;

/**
 * One op under test at one shape: its tensors, how to record its forward and backward, and a float64
 * reference of its forward. {@link GradCheck} checks it against finite differences of the reference;
 * the backend parity tests run the same case on two backends.
 *
 * <p>Roles: {@code input} (differentiable, random normal unless given), {@code constant} (given,
 * not differentiated: labels, running statistics), {@code output} (differentiable; receives a random
 * upstream gradient), {@code aux} (written by the forward and compared if the reference returns it),
 * {@code scratch} (never compared).
 */
public final class OpCase {
    public enum Role { INPUT, CONSTANT, OUTPUT, AUX, SCRATCH }

    /** A generator for initial values. */
    @FunctionalInterface
    public interface Init {
        double[] make(int n, SplittableRandom rnd);

        static Init normal(double scale) {
            return (n, r) -> { double[] v = new double[n]; for (int i = 0; i < n; i++) v[i] = scale * gaussian(r); return v; };
        }

        static Init uniform(double lo, double hi) {
            return (n, r) -> { double[] v = new double[n]; for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextDouble(); return v; };
        }

        static Init values(double... values) { return (n, r) -> values.clone(); }

        static Init zeros() { return (n, r) -> new double[n]; }
    }

    record Spec(String name, int size, Role role, Init init) {}

    /** Named views of one run: {@link #get} the tensor, {@link #grad} its gradient. */
    public interface Views {
        View get(String name);

        View grad(String name);
    }

    /** What one run on a backend produced: every tensor and gradient (gradients minus their prefill). */
    public record Result(Map<String, double[]> values, Map<String, double[]> grads) {}

    final String name;
    final Map<String, Spec> specs = new LinkedHashMap<>();
    BiConsumer<TaskGraph, Views> forward, backward;
    Function<Map<String, double[]>, Map<String, double[]>> reference;
    double forwardTolerance = 1e-4, gradientTolerance = 2e-3, step = 1e-6;
    final Map<String, Double> fixedUpstream = new LinkedHashMap<>();
    long seed = 1234;

    private OpCase(String name) { this.name = name; }

    public static OpCase named(String name) { return new OpCase(name); }

    public OpCase input(String n, int size) { return add(n, size, Role.INPUT, Init.normal(1)); }

    public OpCase input(String n, int size, Init init) { return add(n, size, Role.INPUT, init); }

    public OpCase constant(String n, int size, Init init) { return add(n, size, Role.CONSTANT, init); }

    public OpCase output(String n, int size) { return add(n, size, Role.OUTPUT, Init.zeros()); }

    public OpCase aux(String n, int size) { return add(n, size, Role.AUX, Init.zeros()); }

    public OpCase scratch(String n, int size) { return add(n, size, Role.SCRATCH, Init.zeros()); }

    public OpCase forward(BiConsumer<TaskGraph, Views> f) { this.forward = f; return this; }

    public OpCase backward(BiConsumer<TaskGraph, Views> b) { this.backward = b; return this; }

    /** Float64 forward: all INPUT and CONSTANT tensors in, OUTPUT (and optionally AUX or updated CONSTANT) tensors out. */
    public OpCase reference(Function<Map<String, double[]>, Map<String, double[]>> ref) { this.reference = ref; return this; }

    public OpCase tolerances(double forwardRel, double gradientRel) {
        this.forwardTolerance = forwardRel;
        this.gradientTolerance = gradientRel;
        return this;
    }

    /** Finite-difference step (default 1e-6). */
    public OpCase step(double h) { this.step = h; return this; }

    public OpCase seed(long s) { this.seed = s; return this; }

    /**
     * Fixes the upstream gradient of a (scalar) output to {@code value}: for losses, whose kernels produce
     * their gradient times a weight argument instead of reading an upstream gradient.
     */
    public OpCase upstream(String output, double value) {
        fixedUpstream.put(output, value);
        return this;
    }

    public String name() { return name; }

    private OpCase add(String n, int size, Role role, Init init) {
        if (specs.containsKey(n)) throw new IllegalArgumentException("duplicate tensor " + n);
        specs.put(n, new Spec(n, size, role, init));
        return this;
    }

    boolean differentiable(Spec s) { return s.role == Role.INPUT || s.role == Role.OUTPUT; }

    /** The initial values of every tensor, upstream gradients ("d:" + output) and gradient prefills ("g0:" + input). */
    Map<String, double[]> initialValues() {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, double[]> init = new LinkedHashMap<>();
        for (Spec s : specs.values()) {
            double[] v = toFloat(s.init.make(s.size, rnd));
            if (v.length != s.size) throw new IllegalStateException(name + ": init of " + s.name + " gave " + v.length + " values, expected " + s.size);
            init.put(s.name, v);
        }
        for (Spec s : specs.values()) {
            if (s.role == Role.OUTPUT) {
                double[] d = toFloat(Init.normal(1).make(s.size, rnd));
                if (fixedUpstream.containsKey(s.name)) java.util.Arrays.fill(d, fixedUpstream.get(s.name));
                init.put("d:" + s.name, d);
            }
            if (s.role == Role.INPUT) init.put("g0:" + s.name, toFloat(Init.normal(1).make(s.size, rnd)));
        }
        return init;
    }

    /** Runs forward then backward once on {@code backend}. */
    public Result run(Backend backend) {
        Map<String, double[]> init = initialValues();
        Map<String, Buffer> buffers = new LinkedHashMap<>(), grads = new LinkedHashMap<>();
        for (Spec s : specs.values()) {
            buffers.put(s.name, new Buffer(s.name, Math.max(1, s.size)));
            if (differentiable(s)) grads.put(s.name, new Buffer("d" + s.name, Math.max(1, s.size)));
        }
        Views views = new Views() {
            @Override public View get(String n) { return view(buffers, n); }

            @Override public View grad(String n) { return view(grads, n); }

            private View view(Map<String, Buffer> m, String n) {
                Buffer b = m.get(n);
                if (b == null) throw new IllegalArgumentException(name + ": no tensor (or gradient) named " + n);
                return b.view(0, specs.get(n).size);
            }
        };
        TaskGraph fwd = new TaskGraph(name + ".forward"), bwd = new TaskGraph(name + ".backward");
        forward.accept(fwd, views);
        if (backward != null) backward.accept(bwd, views);
        // A graph of on-demand transfers makes every tensor known to the plan, used by a kernel or not.
        List<TaskGraph> graphs = new ArrayList<>(List.of(fwd));
        if (bwd.taskCount() > 0) graphs.add(bwd);
        TaskGraph holder = new TaskGraph(name + ".buffers");
        float[] scratch = new float[1];
        for (Buffer b : buffers.values()) holder.transferToHost(DataTransferMode.UNDER_DEMAND, b.view(0, 1), scratch);
        for (Buffer b : grads.values()) holder.transferToHost(DataTransferMode.UNDER_DEMAND, b.view(0, 1), scratch);
        graphs.add(holder);
        try (ExecutionPlan plan = new ExecutionPlan(backend, graphs.stream().map(TaskGraph::snapshot).toArray(ImmutableTaskGraph[]::new))) {
            for (Spec s : specs.values()) {
                if (s.size > 0) plan.write(views.get(s.name), toFloatArray(init.get(s.name)));
                if (s.role == Role.OUTPUT && s.size > 0) plan.write(views.grad(s.name), toFloatArray(init.get("d:" + s.name)));
                if (s.role == Role.INPUT && s.size > 0) plan.write(views.grad(s.name), toFloatArray(init.get("g0:" + s.name)));
            }
            plan.execute(0);
            Map<String, double[]> values = new LinkedHashMap<>();
            for (Spec s : specs.values()) values.put(s.name, toDouble(plan.read(views.get(s.name))));
            if (graphs.size() > 2) plan.execute(1);
            Map<String, double[]> g = new LinkedHashMap<>();
            for (Spec s : specs.values()) {
                if (s.role != Role.INPUT) continue;
                double[] got = toDouble(plan.read(views.grad(s.name))), g0 = init.get("g0:" + s.name);
                for (int i = 0; i < got.length; i++) got[i] -= g0[i];
                g.put(s.name, got);
            }
            return new Result(values, g);
        }
    }

    static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }

    static double[] toFloat(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }

    static float[] toFloatArray(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }

    static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    @Override public String toString() { return name; }
}
