package org.voxkd.engine;

import java.util.Arrays;

/**
 * One recorded kernel launch: a name for profiles and errors, the kernel, its work size and arguments — checked here,
 * when recorded, against the kernel's {@link Signature} (arity, and a View, int or float for each parameter).
 */
public record Task(String name, Kernel kernel, Range range, Object[] args) {
    public Task {
        Signature sig = kernel.signature();
        if (kernel.kind() == Kernel.Kind.STAGE)
            throw new IllegalArgumentException("task " + name + ": " + kernel + " is a lowering stage, not a kernel to record");
        if (args.length != sig.arity())
            throw new IllegalArgumentException("task " + name + " (" + kernel + ") takes " + sig.arity() + " arguments (" + sig + "), given "
                    + args.length + ": " + Arrays.toString(args));
        for (int i = 0; i < args.length; i++) {
            String why = sig.mismatch(i, args[i]);
            if (why != null) throw new IllegalArgumentException("task " + name + " (" + kernel + "; " + sig + "): " + why);
        }
        args = args.clone();
    }

    @Override public String toString() { return name + " " + kernel + " " + range + " " + Arrays.toString(args); }
}
