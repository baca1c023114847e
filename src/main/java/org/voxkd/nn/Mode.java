package org.voxkd.nn;

/** How a model runs: {@code TRAIN} uses batch statistics and dropout and keeps what the backward needs; {@code EVAL} uses running statistics, no dropout, no backward. */
public enum Mode { TRAIN, EVAL }
