package org.voxkd.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A kernel's parameter list, declared once next to its {@link Kernel} constant — the typed task parameters of TornadoVM:
 * buffers with their access, then ints and floats, in launch order, named as in the kernel's OpenCL C twin.
 * {@link TaskGraph#task} checks every recorded launch against it (arity and kinds), and a unit test holds every
 * declaration against the {@code __kernel} signatures of {@code tornado-kernels/*.cl}.
 *
 * <p>Written as the OpenCL C list reads, a buffer's offset folded into the buffer:
 * <pre>
 *   "inout y, in b, int rows, int c, float eps"       in / out / inout NAME : a float buffer (global float* NAME, int NAME_off)
 *                                                    int NAME, float NAME  : a scalar (Integer/Float or a Scalar)
 *   "out double part, in double part"                a double buffer: the backend's scratch, in lowering stages only
 * </pre>
 * {@code in} is {@code global const float*} in OpenCL C; {@code out} (written, not read) and {@code inout} (read and
 * written, e.g. a backward that accumulates) are {@code global float*}.
 */
public record Signature(List<Param> params) {
    /** A buffer's access, or a scalar's type. */
    public enum Kind {
        IN, OUT, INOUT, INT, FLOAT;

        public boolean buffer() { return this == IN || this == OUT || this == INOUT; }
    }

    /** One parameter: a float buffer (or, with {@code scratch}, a double buffer of the backend's scratch) or a scalar. */
    public record Param(Kind kind, String name, boolean scratch) {
        @Override public String toString() {
            return (kind.buffer() ? kind.name().toLowerCase() + (scratch ? " double " : " ") : kind.name().toLowerCase() + " ") + name;
        }
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*");

    public Signature {
        params = List.copyOf(params);
    }

    /** Parses a declaration such as {@code "inout y, in b, int rows, int c"} (see the class comment). */
    public static Signature of(String declaration) {
        List<Param> out = new ArrayList<>();
        if (!declaration.isBlank())
            for (String item : declaration.split(",")) {
                String[] w = item.trim().split("\\s+");
                boolean scratch = w.length == 3 && w[1].equals("double");
                if (!(w.length == 2 || scratch) || !NAME.matcher(w[w.length - 1]).matches())
                    throw new IllegalArgumentException("kernel parameter '" + item.trim() + "' in \"" + declaration
                            + "\": expected in|out|inout [double] NAME, int NAME or float NAME");
                Kind kind = switch (w[0]) {
                    case "in" -> Kind.IN;
                    case "out" -> Kind.OUT;
                    case "inout" -> Kind.INOUT;
                    case "int" -> Kind.INT;
                    case "float" -> Kind.FLOAT;
                    default -> throw new IllegalArgumentException("kernel parameter '" + item.trim() + "' in \"" + declaration
                            + "\": unknown kind " + w[0] + " (in, out, inout, int, float)");
                };
                if (scratch && !kind.buffer()) throw new IllegalArgumentException("kernel parameter '" + item.trim() + "': double goes with a buffer");
                out.add(new Param(kind, w[w.length - 1], scratch));
            }
        return new Signature(out);
    }

    public int arity() { return params.size(); }

    /**
     * Null when {@code arg} fits parameter {@code i} as a recorded task argument, else why not: a float buffer takes a
     * {@link View}, an int an {@link Integer} or integer {@link Scalar}, a float a {@link Float} or float Scalar.
     */
    public String mismatch(int i, Object arg) {
        Param p = params.get(i);
        boolean fits = switch (p.kind()) {
            case IN, OUT, INOUT -> !p.scratch() && arg instanceof View;
            case INT -> arg instanceof Integer || arg instanceof Scalar s && s.isInt();
            case FLOAT -> arg instanceof Float || arg instanceof Scalar s && !s.isInt();
        };
        if (fits) return null;
        String what = arg == null ? "null" : arg instanceof Scalar s ? (s.isInt() ? "int Scalar " : "float Scalar ") + s.name()
                : arg.getClass().getSimpleName() + " " + arg;
        return "argument " + i + " (" + p + ") is " + (p.scratch() ? "the backend's scratch, not a task argument; got " : "given a ") + what;
    }

    @Override public String toString() {
        StringBuilder b = new StringBuilder();
        for (Param p : params) b.append(b.isEmpty() ? "" : ", ").append(p);
        return b.toString();
    }
}
