package org.voxkd.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.voxkd.ledger.Ledger;
import org.voxkd.pipeline.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `voxkd ledger list | show ID | verify ID`. */
@Command(name = "ledger", mixinStandardHelpOptions = true, description = "The experiment ledger (results/ledger.jsonl).",
        subcommands = {LedgerCommand.ListRuns.class, LedgerCommand.Show.class, LedgerCommand.Verify.class})
public final class LedgerCommand implements Runnable {
    @Override public void run() { new picocli.CommandLine(this).usage(System.out); }

    static class Where {
        @Option(names = "--results", defaultValue = "results", description = "Results directory (default: ${DEFAULT-VALUE}).") Path results;
    }

    static ObjectNode find(Ledger l, String id) throws Exception {
        return l.find(id).orElseThrow(() -> new IllegalArgumentException("no run " + id + " in " + l.file()));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per run.")
    static final class ListRuns implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Mixin Where where = new Where();

        @Override public Integer call() throws Exception {
            List<ObjectNode> all = new Ledger(where.results).records();
            System.out.printf("%-16s %-8s %-18s %5s %-8s %12s %6s %8s %8s %8s  %-16s %s%n", "id", "profile", "experiment", "seed", "backend", "parameters",
                    "epochs", "val EER", "test EER", "min", "code", "commit");
            for (ObjectNode r : all)
                System.out.printf("%-16s %-8s %-18s %5d %-8s %,12d %6d %7.2f%% %7.2f%% %8.1f  %-16s %.12s%n", r.get("id").asText(), r.get("profile").asText(),
                        r.get("experiment").asText(), r.path("seed").asLong(), r.get("backend").asText(), r.get("parameters").asInt(), r.get("epochs").asInt(),
                        100 * r.path("validation").path("best").path("eer").asDouble(Double.NaN), 100 * r.path("test").path("best").path("eer").asDouble(Double.NaN),
                        r.get("seconds").asDouble() / 60, r.path("code_fingerprint").asText("-"), r.get("commit").asText());
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "The full record of one run.")
    static final class Show implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Mixin Where where = new Where();
        @Parameters(paramLabel = "ID", description = "Run id (or a unique prefix of 6+ characters).") String id;

        @Override public Integer call() throws Exception {
            System.out.println(find(new Ledger(where.results), id).toPrettyString());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Re-run a recorded configuration and judge it: reproduced bit for bit (exit 0), within tolerance on another environment (exit 3), or not reproduced (exit 4).")
    static final class Verify implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Mixin Where where = new Where();
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--root", defaultValue = ".", description = "Project root the recorded paths are relative to.") Path root;

        @Override public Integer call() throws Exception {
            ObjectNode r = find(new Ledger(where.results), id);
            Path scratch = Files.createTempDirectory("voxkd-verify");
            Verifier.Outcome o = Verifier.verify(r, root.toAbsolutePath().normalize(), where.results.toAbsolutePath(), scratch, System.out);
            String run = "run " + r.get("id").asText() + " (" + r.get("experiment").asText() + ", seed " + r.path("seed").asLong() + ")";
            System.out.println();
            System.out.printf("%-22s %-22s %14s %14s %12s  %s%n", "where", "figure", "recorded", "re-run", "difference", "verdict (tolerance)");
            o.table().forEach(System.out::println);
            if (!o.environment().isEmpty()) {
                System.out.println("environment fields that differ from the recorded run:");
                o.environment().forEach(e -> System.out.println("  " + e));
            } else System.out.println("environment: the same as the recorded run");
            switch (o.verdict()) {
                case BIT_FOR_BIT -> System.out.println(run + ": reproduced bit for bit");
                case WITHIN_TOLERANCE -> System.out.println(run + ": reproduced within tolerance (" + o.bitDifferences().size()
                        + " figures differ in their bits, all inside their tolerance; the environment differs as listed)");
                case NOT_REPRODUCED -> {
                    System.out.println(run + ": NOT reproduced");
                    o.outOfTolerance().forEach(b -> System.out.println("  " + b));
                }
            }
            return o.verdict().exitCode;
        }
    }
}
