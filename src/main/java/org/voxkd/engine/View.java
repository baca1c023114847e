package org.voxkd.engine;

/**
 * A contiguous window of a {@link Buffer}: what a kernel argument points at. Kernels receive a
 * view as two arguments, the buffer and the offset in floats, on every backend.
 */
public record View(Buffer buffer, int offset, int length) {
    public View {
        if (offset < 0 || length < 0 || (long) offset + length > buffer.length())
            throw new IllegalArgumentException("view [" + offset + ", +" + length + ") lies outside " + buffer);
    }

    /** A sub-window relative to this view. */
    public View slice(int from, int len) {
        if (from < 0 || len < 0 || (long) from + len > length)
            throw new IllegalArgumentException("slice [" + from + ", +" + len + ") lies outside a view of " + length + " floats of " + buffer);
        return new View(buffer, offset + from, len);
    }

    /** Checks that the view holds exactly {@code n} floats: catches shape mistakes when a graph is recorded. */
    public View require(int n, String what) {
        if (length != n) throw new IllegalArgumentException(what + ": expected " + n + " floats, view of " + buffer.name() + " holds " + length);
        return this;
    }

    @Override public String toString() { return buffer.name() + "[" + offset + ":+" + length + "]"; }
}
