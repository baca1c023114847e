package org.voxkd.engine;

import java.util.Arrays;

/** One recorded kernel launch: a name for profiles and errors, the kernel, its work size and arguments. */
public record Task(String name, Kernel kernel, Range range, Object[] args) {
    public Task {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (!(a instanceof View || a instanceof Integer || a instanceof Float || a instanceof Scalar))
                throw new IllegalArgumentException("task " + name + " (" + kernel + "): argument " + i + " is a "
                        + (a == null ? "null" : a.getClass().getSimpleName()) + "; kernels take View, Integer, Float or Scalar");
        }
        args = args.clone();
    }

    @Override public String toString() { return name + " " + kernel + " " + range + " " + Arrays.toString(args); }
}
