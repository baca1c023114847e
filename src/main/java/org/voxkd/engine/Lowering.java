package org.voxkd.engine;

import java.util.List;

/**
 * How the opencl backend runs a kernel that is not one launch of its own {@code .cl} function: a few launches of stage
 * kernels (e.g. a reduction over many rows as work-group partials and a fixed-order final), planned from the recorded
 * arguments. A kernel family declares it next to the kernel (see {@code kernels/Reductions}); the backend only runs
 * the stages, so the engine holds no kernel's layout.
 */
@FunctionalInterface
public interface Lowering {
    /** The stages of one recorded launch with arguments {@code args} (as recorded: View, Integer, Float, Scalar). */
    Plan plan(Object[] args);

    /** A stage argument: argument {@code index} of the recorded task, as recorded. */
    record TaskArg(int index) {}

    /** A stage argument: the backend's scratch buffer (doubles) from {@code offset}: a {@code double} buffer parameter. */
    record ScratchArg(int offset) {}

    /**
     * One launch of {@code kernel} over {@code global} items in work groups of {@code local}; {@code args} are
     * {@link TaskArg}, {@link ScratchArg}, Integer or Float, checked against the stage kernel's signature.
     */
    record Stage(Kernel kernel, long[] global, long[] local, List<Object> args) {
        public Stage {
            args = List.copyOf(args);
            Signature sig = kernel.signature();
            if (args.size() != sig.arity())
                throw new IllegalArgumentException("stage " + kernel + " takes " + sig.arity() + " arguments (" + sig + "), the plan gives " + args.size());
            for (int i = 0; i < args.size(); i++) {
                Signature.Param p = sig.params().get(i);
                Object a = args.get(i);
                boolean fits = a instanceof ScratchArg ? p.scratch() : a instanceof TaskArg ? !p.scratch()
                        : p.kind() == Signature.Kind.INT ? a instanceof Integer : p.kind() == Signature.Kind.FLOAT && a instanceof Float;
                if (!fits) throw new IllegalArgumentException("stage " + kernel + ": argument " + i + " (" + p + ") is given " + a);
            }
        }
    }

    /** The stages of one task and the scratch doubles they need. */
    record Plan(List<Stage> stages, long scratch) {
        public Plan {
            stages = List.copyOf(stages);
        }
    }
}
