package org.voxkd.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import org.voxkd.distill.ClassificationTerm;
import org.voxkd.distill.Context;
import org.voxkd.distill.EmbeddingTerm;
import org.voxkd.distill.TeacherMix;
import org.voxkd.distill.Term;
import org.voxkd.distill.Terms;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.DataTransferMode;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.ImmutableTaskGraph;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Precision;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Distill;
import org.voxkd.kernels.Loss;
import org.voxkd.kernels.Optim;
import org.voxkd.kernels.Tensor;
import org.voxkd.nn.Mode;
import org.voxkd.nn.Pass;
import org.voxkd.nn.SpeakerModel;

/**
 * The recorded graphs of one training configuration, on one backend:
 * <pre>
 *   STEP (per micro-batch):  batch, labels ─► student forward (TRAIN) ──────────────┐
 *                            teachers forward (EVAL, same crops, frozen) ─► target   │ taps
 *                            loss terms: classification, final-embedding KD, terms ◄─┘
 *                              each: loss_T, weight_T·∂L_T/∂(student taps) ─► ‖·‖² = grad_T ─► added into the taps' gradients
 *                            student backward from every injected gradient ─► gradients
 *   NORMS (per optimiser step): ‖∇‖² of model, classifier, adapters ─► host (clipping, columns)
 *   UPDATE (per optimiser step): Adam over model, classifier and adapters ─► gradients zeroed
 * </pre>
 * Parameters, moments, activations and the frozen teachers stay on the device between replays; the host sends the
 * batch and receives the named metric columns ({@link #columns()}). Term weights are scalars set per epoch
 * ({@link #epoch}), already divided by the accumulation, so gradients summed over micro-batches are the mean gradient.
 */
public final class StepProgram implements AutoCloseable {
    /** A parameter group the optimiser updates, checkpoints and clips: "model", "classifier", "adapters". */
    public record Group(String name, ParameterSet params) {}

    /** A frozen teacher to load: where it comes from, its network, and whether its checkpoint carries a classifier head. */
    public record TeacherModel(String source, SpeakerModel model, boolean hasHead) {}

    public final SpeakerModel model;
    public final ParameterSet classifier;
    /** The adapters the terms learn, or null when none does. */
    public final ParameterSet adapters;
    public final List<Group> groups;
    public final List<Context.Teacher> teachers;
    public final Pass pass;
    public final float[] features, labels;
    /** Dropout counter: the global micro-batch index. */
    public final Scalar step = Scalar.ofInt("dropout.step", 0);
    public final Optim.Adam adam;
    private final List<Term> terms;
    private final Map<String, List<WeightScalar>> weightScalars = new LinkedHashMap<>();
    private final Metrics metrics = new Metrics();
    private final float[] norms = new float[3], termNorms;
    /** Each term's gradients at the student taps it reached (slot → view), kept for {@link #diagnose()}. */
    private final Map<String, Map<String, View>> termGradients = new LinkedHashMap<>();
    private final float clipNorm;
    private final int accumulate;
    private final ExecutionPlan plan;
    /**
     * The plan's graphs, by job: TRAIN_STEP (forward, loss terms, backward of one micro-batch), GRAD_NORMS (‖g‖² per
     * group), ADAM_UPDATE (clipped Adam, then zeroed gradients), DIAGNOSE (each term's own parameter gradient).
     */
    private final ImmutableTaskGraph trainStep, gradNorms, adamUpdate, diagnose;
    /** The label check of the last step (see {@link Loss#CHECK_LABELS}), and the class count it checks against. */
    private final float[] labelStatus = new float[2];
    private final int classes;
    /** The last optimiser step's gradient norms {model, classifier, adapters, clipped (0/1)}. */
    public final double[] lastUpdate = new double[4];

    public StepProgram(Backend backend, SpeakerModel model, ParameterSet classifier, List<TeacherModel> teacherModels, TrainConfig cfg,
                       int batch, int frames, long seed) {
        this.model = model;
        this.classifier = classifier;
        int d = model.embeddingSize(), k = classifier.entry("weight").shape()[0];
        this.pass = model.plan(batch, frames, Mode.TRAIN, seed, step);
        List<Context.Teacher> ts = new ArrayList<>();
        for (int i = 0; i < teacherModels.size(); i++) {
            TeacherModel tm = teacherModels.get(i);
            View head = tm.hasHead() ? new Buffer("teacher" + i + ".head", k * tm.model().embeddingSize()).all() : null;
            ts.add(new Context.Teacher(tm.source(), tm.model(), tm.model().plan(batch, frames, Mode.EVAL, seed, step), head));
        }
        this.teachers = List.copyOf(ts);
        this.features = new float[pass.input().length()];
        this.labels = new float[batch];
        this.adam = new Optim.Adam(cfg.optim().weightDecay());
        this.clipNorm = cfg.optim().clipNorm();
        this.accumulate = cfg.optim().accumulate();

        List<Term> kd = new ArrayList<>();
        if (!teachers.isEmpty() && cfg.finalKd()) kd.add(new EmbeddingTerm(cfg.loss(), cfg.distill().alphaSchedule()));
        if (!teachers.isEmpty()) kd.addAll(cfg.distill().build(TrainConfig.YAML, new Terms.Defaults(cfg.loss().scale(), cfg.loss().tau())));
        List<Term> all = new ArrayList<>();
        all.add(new ClassificationTerm(cfg.loss(), kd));
        all.addAll(kd);
        this.terms = List.copyOf(all);
        if (cfg.finalKd())
            for (Context.Teacher t : teachers)
                if (t.model().embeddingSize() != d)
                    throw new IllegalArgumentException("teacher " + t.source() + ": embedding " + t.model().embeddingSize() + " ≠ student embedding " + d
                            + " (the final-embedding distillation compares them)");

        Recording rec = new Recording(cfg, batch, frames, k);
        ParameterSet.Builder ab = ParameterSet.builder("adapters");
        for (Term t : terms) {
            rec.term = t;
            t.declare(ab, rec);
        }
        ParameterSet built = ab.build();
        this.adapters = built.parameterCount() > 0 ? built : null;
        List<Group> gs = new ArrayList<>(List.of(new Group("model", model.parameters()), new Group("classifier", classifier)));
        if (adapters != null) gs.add(new Group("adapters", adapters));
        this.groups = List.copyOf(gs);

        Buffer labelBuffer = new Buffer("step.labels", batch);
        rec.labels = labelBuffer.all();
        Precision precision = Precision.parse(cfg.optim().precision());
        String unsupported = backend.unsupported(precision);
        if (unsupported != null) throw new IllegalArgumentException("optim.precision " + precision.key() + " on " + backend.name() + ": " + unsupported);
        TaskGraph g = new TaskGraph("train_step").gemmPrecision(precision)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, pass.input(), features)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, rec.labels, labels);
        model.forward(g, pass);
        for (Context.Teacher t : teachers) {
            Tensor.copy(g, t.pass().input(), pass.input());
            t.model().forward(g, t.pass());
        }
        rec.target = teachers.isEmpty() ? null
                : TeacherMix.record(g, teachers, cfg.distill(), cfg.loss(), rec.labels, c -> metrics.column(c, 1), batch, d, k);
        try (var s = g.scope("loss")) {
            rec.graph = g;
            for (Term t : terms) {
                rec.term = t;
                rec.gradients.clear();
                View loss = metrics.column("loss_" + t.name(), 1);
                t.record(g, rec, loss, f -> weight(t, f));
                View norms = metrics.column("grad_" + t.name(), Math.max(1, rec.gradients.size()));
                if (rec.gradients.isEmpty()) Tensor.fill(g, norms, 0f);
                int j = 0;
                Map<String, View> bySlot = new LinkedHashMap<>();
                termGradients.put(t.name(), bySlot);
                for (var e : rec.gradients.entrySet()) {
                    Tensor.sumOfSquares(g, norms.slice(j++, 1), e.getValue());
                    String slot = model.tap(e.getKey()).slot();
                    bySlot.put(slot, e.getValue());
                    View dst = pass.injectGradient(slot);
                    if (rec.zeroed.add(slot)) Tensor.fill(g, dst, 0f); // the first term to reach a slot clears it
                    Tensor.add(g, dst, e.getValue());
                }
            }
        }
        if (!rec.zeroed.contains("embedding")) Tensor.fill(g, pass.dEmbedding(), 0f);
        model.backward(g, pass);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, metrics.view(), metrics.host());
        // the classification term's label check: a bad label is an error on every backend, read back with the metrics
        ClassificationTerm cls = (ClassificationTerm) terms.stream().filter(t -> t instanceof ClassificationTerm).findFirst().orElseThrow();
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, cls.labelStatus(), labelStatus);
        this.classes = k;

        Buffer normBuffer = new Buffer("step.grad_norms", 3);
        TaskGraph n = new TaskGraph("grad_norms");
        for (int i = 0; i < groups.size(); i++) Tensor.sumOfSquares(n, normBuffer.view(i, 1), groups.get(i).params().grads());
        n.transferToHost(DataTransferMode.EVERY_EXECUTION, normBuffer.all(), norms);
        TaskGraph u = new TaskGraph("update");
        for (Group gr : groups) {
            ParameterSet ps = gr.params();
            adam.record(u, ps);
            Tensor.fill(u, ps.grads(), 0f);
        }
        this.termNorms = new float[terms.size()];
        this.trainStep = g.snapshot();
        this.gradNorms = n.snapshot();
        this.adamUpdate = u.snapshot();
        this.diagnose = diagnosis(rec);
        List<ImmutableTaskGraph> graphs = new ArrayList<>(List.of(trainStep, gradNorms, adamUpdate, diagnose));
        // Teacher heads are written once (load); a graph that names them makes the plan allocate them.
        TaskGraph heads = new TaskGraph("teacher_heads");
        for (Context.Teacher t : teachers) if (t.head() != null) heads.transferToHost(DataTransferMode.UNDER_DEMAND, t.head().slice(0, 1), new float[1]);
        if (heads.snapshot().outbound().size() > 0) graphs.add(heads.snapshot());
        this.plan = new ExecutionPlan(backend, graphs.toArray(ImmutableTaskGraph[]::new));
        epoch(0, 1);
    }

    /**
     * DIAGNOSE: each term's own gradient of the student's parameters, ‖∂(w_T·L_T)/∂θ‖, from the last step's activations and
     * the gradients the term injected — one backward per term — with the step's accumulated gradients set aside and put
     * back bit for bit. Norms at the parameters compare terms that reach different layers (at their taps they do not).
     */
    private ImmutableTaskGraph diagnosis(Recording rec) {
        ParameterSet ps = model.parameters();
        View backup = new Buffer("step.grad_backup", ps.parameterCount()).all();
        Buffer out = new Buffer("step.term_param_norms", terms.size());
        TaskGraph d = new TaskGraph("diagnose");
        Tensor.copy(d, backup, ps.grads());
        for (int i = 0; i < terms.size(); i++) {
            Map<String, View> mine = termGradients.get(terms.get(i).name());
            for (String slot : rec.zeroed) {
                View dst = pass.grad(slot), src = mine.get(slot);
                if (src == null) Tensor.fill(d, dst, 0f);
                else Tensor.copy(d, dst, src);
            }
            Tensor.fill(d, ps.grads(), 0f);
            model.backward(d, pass);
            Tensor.sumOfSquares(d, out.view(i, 1), ps.grads());
        }
        Tensor.copy(d, ps.grads(), backup);
        d.transferToHost(DataTransferMode.EVERY_EXECUTION, out.all(), termNorms);
        return d.snapshot();
    }

    /**
     * Each term's gradient norm at the student's parameters for the last micro-batch, by term name (run it before that
     * step's update; the training gradients are left as they were).
     */
    public Map<String, Double> diagnose() {
        plan.execute(diagnose);
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < terms.size(); i++) m.put(terms.get(i).name(), Math.sqrt(termNorms[i]));
        return m;
    }

    /** A kernel argument holding a term's weight times a factor, over the accumulation. */
    private record WeightScalar(Scalar scalar, double factor) {}

    /** The scalar weight of term {@code t} times {@code factor}, set per epoch by {@link #epoch}. */
    private Scalar weight(Term t, double factor) {
        Scalar s = Scalar.ofFloat("weight." + t.name() + "×" + factor, 0f);
        weightScalars.computeIfAbsent(t.name(), x -> new ArrayList<>()).add(new WeightScalar(s, factor));
        return s;
    }

    /** Sets the term weights of 0-based epoch {@code e} of {@code epochs} (schedules change them between epochs). */
    public void epoch(int e, int epochs) {
        for (Term t : terms)
            for (WeightScalar w : weightScalars.getOrDefault(t.name(), List.of())) w.scalar().set(t.weight(e, epochs) * w.factor() / accumulate);
    }

    /** Every term's weight at epoch {@code e} of {@code epochs}, by name ("cls", "kd", then the terms). */
    public Map<String, Double> weights(int e, int epochs) {
        Map<String, Double> w = new LinkedHashMap<>();
        for (Term t : terms) w.put(t.name(), t.weight(e, epochs));
        return w;
    }

    /** The names of the distillation terms. */
    public List<String> distillationTerms() { return terms.stream().filter(Term::distills).map(Term::name).toList(); }

    /** The metric columns of a step, in order. */
    public List<String> columns() { return metrics.names(); }

    /** The last step's metrics, one value per {@link #columns()} entry (a column of several floats is their sum). */
    public double[] values() { return metrics.values(); }

    /** Uploads the trained groups' weights: model {params, state}, classifier, adapters (null: initial values of {@code seed}). */
    public void load(float[][] modelWeights, float[] classifierWeights, float[] adapterWeights, long seed) {
        plan.write(model.parameters().params(), modelWeights[0]);
        plan.write(model.parameters().state(), modelWeights[1]);
        plan.write(classifier.params(), classifierWeights);
        if (adapters != null) plan.write(adapters.params(), adapterWeights != null ? adapterWeights : adapters.initialValues(seed + 2, true));
        else if (adapterWeights != null && adapterWeights.length > 0) throw new IllegalArgumentException("adapter weights given, but no term learns adapters");
    }

    /** Uploads frozen teacher {@code i}: {params, state} and its classifier head (when it has one). */
    public void loadTeacher(int i, float[][] weights, float[] head) {
        Context.Teacher t = teachers.get(i);
        plan.write(t.model().parameters().params(), weights[0]);
        plan.write(t.model().parameters().state(), weights[1]);
        if (t.head() != null) {
            if (head == null || head.length != t.head().length())
                throw new IllegalArgumentException("teacher " + t.source() + ": classifier head of " + (head == null ? 0 : head.length) + " floats, expected "
                        + t.head().length() + " (classes × its embedding)");
            plan.write(t.head(), head);
        }
    }

    /** Adam moments by "GROUP.m" / "GROUP.v". */
    public Map<String, float[]> moments() {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (Group gr : groups) {
            m.put(gr.name() + ".m", plan.read(gr.params().adamM()));
            m.put(gr.name() + ".v", plan.read(gr.params().adamV()));
        }
        return m;
    }

    /** Restores Adam moments; exactly the groups of this program must be there. */
    public void loadMoments(Map<String, float[]> moments) {
        java.util.Set<String> want = new java.util.TreeSet<>();
        for (Group gr : groups) {
            want.add(gr.name() + ".m");
            want.add(gr.name() + ".v");
        }
        if (!want.equals(new java.util.TreeSet<>(moments.keySet())))
            throw new IllegalArgumentException("optimiser state has moments " + new java.util.TreeSet<>(moments.keySet()) + ", this run needs " + want);
        for (Group gr : groups) {
            plan.write(gr.params().adamM(), moments.get(gr.name() + ".m"));
            plan.write(gr.params().adamV(), moments.get(gr.name() + ".v"));
        }
    }

    /** Per-task timing of every launch (each then waits for completion); {@link #profile} reads it. */
    public void profile(boolean on) { plan.withProfiler(on); }

    /** The {@code top} task names by total time: "name: ms total, launches". */
    public List<String> profile(int top) { return plan.profileTable(top, false); }

    /** The profile summed per kernel over layers (see {@link ExecutionPlan#profileTable}). */
    public List<String> profileByKernel(int top) { return plan.profileTable(top, true); }

    /** The raw profile: {total ns, launches} per task name, summed over the profiled steps. */
    public java.util.Map<String, long[]> profileTotals() { return plan.profile(); }

    /** Runs one micro-batch (features and labels already in the host arrays); metrics in {@link #values()}. */
    public void step(int globalStep) {
        step.set(globalStep);
        plan.execute(trainStep);
        Loss.requireLabels(labelStatus, classes);
    }

    /**
     * One optimiser step at learning rate {@code lr}: the gradient norms of each group (in {@link #lastUpdate}), the
     * clipping of the global norm to {@code optim.clip_norm} when set, then Adam.
     */
    public void update(double lr) {
        plan.execute(gradNorms);
        double total = 0;
        for (int i = 0; i < groups.size(); i++) {
            lastUpdate[i] = Math.sqrt(norms[i]);
            total += norms[i];
        }
        for (int i = groups.size(); i < 3; i++) lastUpdate[i] = 0;
        total = Math.sqrt(total);
        boolean clip = clipNorm > 0 && total > clipNorm;
        adam.gradScale.set(clip ? clipNorm / total : 1.0);
        lastUpdate[3] = clip ? 1 : 0;
        adam.step(lr);
        plan.execute(adamUpdate);
    }

    /** {params, state} of the model as they are on the device now. */
    public float[][] modelWeights() { return new float[][] {plan.read(model.parameters().params()), plan.read(model.parameters().state())}; }

    public float[] classifierWeights() { return plan.read(classifier.params()); }

    /** The gradients a group has accumulated since the last update (tests and diagnostics read them). */
    public float[] gradients(String group) {
        for (Group gr : groups) if (gr.name().equals(group)) return plan.read(gr.params().grads());
        throw new IllegalArgumentException("no parameter group " + group + "; groups: " + groups.stream().map(Group::name).toList());
    }

    /** The model's parameter gradients as they are on the device now (after a step, before the update zeroes them). */
    public float[] modelGradients() { return gradients("model");
    }

    /** The adapters' weights, or null without adapters. */
    public float[] adapterWeights() { return adapters == null ? null : plan.read(adapters.params()); }

    @Override public void close() { plan.close(); }

    /** Named metric columns in one device buffer (a column may span several floats, summed on the host). */
    private static final class Metrics {
        static final int CAPACITY = 256;
        private final Buffer buffer = new Buffer("step.metrics", CAPACITY);
        private final List<String> names = new ArrayList<>();
        private final List<int[]> at = new ArrayList<>();
        private int used;
        private float[] host;

        View column(String name, int floats) {
            if (names.contains(name)) throw new IllegalArgumentException("metric column " + name + " declared twice (two terms with one name?)");
            if (used + floats > CAPACITY) throw new IllegalStateException("more than " + CAPACITY + " metric floats");
            names.add(name);
            at.add(new int[] {used, floats});
            View v = buffer.view(used, floats);
            used += floats;
            return v;
        }

        View view() { return buffer.view(0, Math.max(1, used)); }

        float[] host() {
            if (host == null) host = new float[Math.max(1, used)];
            return host;
        }

        List<String> names() { return List.copyOf(names); }

        double[] values() {
            double[] v = new double[names.size()];
            for (int i = 0; i < v.length; i++) {
                int[] a = at.get(i);
                for (int j = 0; j < a[1]; j++) v[i] += host[a[0] + j];
            }
            return v;
        }
    }

    /** The {@link Context} terms record into. */
    private final class Recording implements Context {
        final TrainConfig cfg;
        final int batch, frames, classes;
        Term term;
        TaskGraph graph;
        View labels, target;
        final Map<String, View> gradients = new LinkedHashMap<>();
        final java.util.Set<String> zeroed = new java.util.HashSet<>();
        private final Map<String, Integer> scratchCount = new HashMap<>();

        Recording(TrainConfig cfg, int batch, int frames, int classes) {
            this.cfg = cfg;
            this.batch = batch;
            this.frames = frames;
            this.classes = classes;
        }

        @Override public int batch() { return batch; }

        @Override public int frames() { return frames; }

        @Override public SpeakerModel student() { return model; }

        @Override public Pass studentPass() { return pass; }

        @Override public List<Teacher> teachers() { return teachers; }

        @Override public View target() {
            if (target == null) throw new IllegalStateException("term " + term.name() + " reads the distillation target, which needs a teacher");
            return target;
        }

        @Override public Tap tap(String qualified) {
            int dot = qualified.indexOf('.');
            String role = dot < 0 ? "" : qualified.substring(0, dot), name = qualified.substring(dot + 1);
            if (role.equals("student")) {
                SpeakerModel.Tap t = model.tap(name);
                return new Tap(qualified, true, t, pass.act(t.slot()), t.rows(pass));
            }
            if (role.equals("teacher")) {
                Teacher th = teacher(term.name());
                SpeakerModel.Tap t = th.model().tap(name);
                return new Tap(qualified, false, t, th.pass().act(t.slot()), t.rows(th.pass()));
            }
            throw new IllegalArgumentException("tap " + qualified + " must start with student. or teacher. (e.g. student.block4.out, teacher.lstm1.out)");
        }

        @Override public View gradient(String studentTap) {
            View v = gradients.get(studentTap);
            if (v != null) return v;
            SpeakerModel.Tap t = model.tap(studentTap);
            if (graph == null) throw new IllegalStateException("term " + term.name() + " asked for a gradient before recording");
            v = scratch(t.rows(pass) * t.width());
            Tensor.fill(graph, v, 0f);
            gradients.put(studentTap, v);
            return v;
        }

        @Override public View scratch(int floats) {
            int n = scratchCount.merge(term.name(), 1, Integer::sum);
            return new Buffer("step." + term.name() + "." + n, floats).all();
        }

        @Override public ParameterSet adapters() {
            if (adapters == null) throw new IllegalStateException("term " + term.name() + " reads adapters but declared none");
            return adapters;
        }

        @Override public ParameterSet classifier() { return classifier; }

        @Override public int classes() { return classes; }

        @Override public View labels() { return labels; }

        @Override public View metric(String column) { return metrics.column(column, 1); }
    }
}
