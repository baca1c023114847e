package org.voxkd.engine;

import java.util.function.Function;

/**
 * A device that runs task graphs. Small on purpose: allocate, copy, bind a recorded task, wait.
 * Implementations: {@code cpu} (Java bodies, OpenBLAS) and {@code opencl} (tornado-kernels/*.cl, CLBlast).
 */
public interface Backend extends AutoCloseable {
    String name();

    DeviceInfo device();

    /** Device memory for one buffer, zero-filled. */
    Memory allocate(Buffer buffer);

    void write(Memory dst, int offset, float[] src, int srcOffset, int length);

    void read(Memory src, int offset, float[] dst, int dstOffset, int length);

    /** Prepares a recorded task for repeated launches (argument resolution, kernel lookup). */
    Bound bind(Task task, Function<Buffer, Memory> memory);

    /** Null when this backend can run GEMMs in precision {@code p}, else why not (and what to do instead). */
    default String unsupported(Precision p) { return null; }

    /** Waits until every launch issued so far has finished. */
    void finish();

    @Override void close();

    /** One buffer's memory on this backend. */
    interface Memory extends AutoCloseable {
        Buffer buffer();

        @Override void close();
    }

    /** A task ready to launch. */
    interface Bound {
        /** Issues the launch; when {@code profile}, waits for it and returns its duration in ns, else 0. */
        long launch(boolean profile);
    }
}
