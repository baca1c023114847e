package org.voxkd.engine;

/** When a host array is copied between host and device (TornadoVM's names). */
public enum DataTransferMode {
    /** Copied on the first execution of the plan only: weights, constants. */
    FIRST_EXECUTION,
    /** Copied on every execution: the batch in, the metrics out. */
    EVERY_EXECUTION,
    /** Never copied by the graph; the caller asks the plan explicitly (checkpoints). */
    UNDER_DEMAND
}
