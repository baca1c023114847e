package org.voxkd.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Records the launches of one unit of work (a training step, an inference pass) once, so that an
 * {@link ExecutionPlan} can replay them with data resident on the device. The vocabulary follows
 * TornadoVM: {@code transferToDevice}, {@code task}, {@code transferToHost}, {@code snapshot}.
 *
 * <p>Ops record their kernels with {@link #task}; {@link #scope} prefixes task names so that a
 * profile reads like the model ("block3.ln1/layernorm_fwd").
 */
public final class TaskGraph {
    private final String name;
    private final List<Transfer> inbound = new ArrayList<>();
    private final List<Task> tasks = new ArrayList<>();
    private final List<Transfer> outbound = new ArrayList<>();
    private final Deque<String> scopes = new ArrayDeque<>();
    private Precision gemmPrecision = Precision.FP32;

    public TaskGraph(String name) { this.name = name; }

    /** The arithmetic of the GEMMs recorded from now on (see {@link Precision}); fp32 unless set. */
    public TaskGraph gemmPrecision(Precision p) {
        gemmPrecision = p;
        return this;
    }

    public Precision gemmPrecision() { return gemmPrecision; }

    public String name() { return name; }

    /** Copies {@code host} into {@code view} before the tasks run, once or on every execution. */
    public TaskGraph transferToDevice(DataTransferMode mode, View view, float[] host) {
        inbound.add(new Transfer(mode, view, host, true));
        return this;
    }

    /** Copies {@code view} into {@code host} after the tasks have run. */
    public TaskGraph transferToHost(DataTransferMode mode, View view, float[] host) {
        if (mode == DataTransferMode.FIRST_EXECUTION)
            throw new IllegalArgumentException("transferToHost takes EVERY_EXECUTION or UNDER_DEMAND (" + view + ")");
        outbound.add(new Transfer(mode, view, host, false));
        return this;
    }

    /** Records one kernel launch. */
    public TaskGraph task(Kernel kernel, Range range, Object... args) {
        tasks.add(new Task(qualified(kernel.name()), kernel, range, args));
        return this;
    }

    /** Opens a naming scope; close it (try-with-resources) to return to the enclosing one. */
    public Scope scope(String part) {
        scopes.addLast(part);
        return scopes::removeLast;
    }

    /** A naming scope that ends with try-with-resources. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }

    private String qualified(String kernelName) {
        return scopes.isEmpty() ? kernelName : String.join(".", scopes) + "/" + kernelName;
    }

    public int taskCount() { return tasks.size(); }

    /** Freezes the recording: later changes to this builder do not affect the snapshot. */
    public ImmutableTaskGraph snapshot() {
        return new ImmutableTaskGraph(name, List.copyOf(inbound), List.copyOf(tasks), List.copyOf(outbound));
    }
}
