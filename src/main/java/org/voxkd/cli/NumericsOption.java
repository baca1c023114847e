package org.voxkd.cli;

import java.util.concurrent.Callable;
import org.voxkd.engine.Numerics;
import picocli.CommandLine.Option;

/** {@code --numerics fast|portable}: the numerics mode a command computes in (see {@link Numerics}). */
final class NumericsOption {
    @Option(names = "--numerics", paramLabel = "MODE", description = "fast (OpenBLAS, the hardware's vector width, Math) or portable "
            + "(voxkd's own GEMM, fixed-width reductions, StrictMath: the same bits on every CPU). Default: the process's "
            + "mode (fast unless -Dvoxkd.numerics=portable).")
    String mode;

    /** The chosen mode, or the active one when the option is absent. */
    Numerics resolve() { return mode == null ? Numerics.active() : Numerics.parse(mode); }

    /** Runs {@code work} with the chosen mode active process-wide, then restores the previous mode. */
    <T> T with(Callable<T> work) throws Exception {
        Numerics was = Numerics.activate(resolve());
        try {
            return work.call();
        } finally {
            Numerics.activate(was);
        }
    }
}
