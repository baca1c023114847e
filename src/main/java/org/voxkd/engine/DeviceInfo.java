package org.voxkd.engine;

/** What `voxkd devices` prints about one device of one backend. */
public record DeviceInfo(String backend, int index, String name, String vendor, String version,
                         long globalMemoryBytes, int computeUnits, String detail) {
}
