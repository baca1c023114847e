package org.voxkd.engine;

/** A recorded copy between a host array and a device view. */
public record Transfer(DataTransferMode mode, View view, float[] host, boolean toDevice) {
    public Transfer {
        if (host.length != view.length())
            throw new IllegalArgumentException("transfer of " + view + ": host array holds " + host.length + " floats, view " + view.length());
    }
}
