package org.voxkd.engine;

/**
 * A scalar kernel argument whose value may change between executions of a frozen graph
 * (learning rate, optimiser step, dropout counter). The backend reads the value at each execution,
 * so the recorded graph never needs re-recording.
 */
public final class Scalar {
    private final String name;
    private final boolean integer;
    private double value;

    private Scalar(String name, boolean integer, double value) {
        this.name = name;
        this.integer = integer;
        this.value = value;
    }

    public static Scalar ofFloat(String name, float initial) { return new Scalar(name, false, initial); }

    public static Scalar ofInt(String name, int initial) { return new Scalar(name, true, initial); }

    public String name() { return name; }

    public boolean isInt() { return integer; }

    public void set(double v) {
        if (integer && v != Math.rint(v)) throw new IllegalArgumentException("integer scalar " + name + " set to " + v);
        value = v;
    }

    public float asFloat() { return (float) value; }

    public int asInt() { return (int) value; }

    @Override public String toString() { return name + "=" + (integer ? Integer.toString(asInt()) : Float.toString(asFloat())); }
}
