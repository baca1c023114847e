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
            System.out.printf("%-16s %-8s %-18s %-8s %12s %6s %8s %8s  %s%n", "id", "profile", "experiment", "backend", "parameters", "epochs", "best EER", "min(s)", "commit");
            for (ObjectNode r : all)
                System.out.printf("%-16s %-8s %-18s %-8s %,12d %6d %7.2f%% %8.1f  %.12s%n", r.get("id").asText(), r.get("profile").asText(),
                        r.get("experiment").asText(), r.get("backend").asText(), r.get("parameters").asInt(), r.get("epochs").asInt(),
                        100 * r.path("best").path("eer").asDouble(Double.NaN), r.get("seconds").asDouble() / 60, r.get("commit").asText());
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

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Re-run a recorded configuration and check every recorded metric bit for bit.")
    static final class Verify implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Mixin Where where = new Where();
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--root", defaultValue = ".", description = "Project root the recorded paths are relative to.") Path root;

        @Override public Integer call() throws Exception {
            ObjectNode r = find(new Ledger(where.results), id);
            Path scratch = Files.createTempDirectory("voxkd-verify");
            List<String> bad = Verifier.verify(r, root.toAbsolutePath().normalize(), where.results.toAbsolutePath(), scratch, System.out);
            if (bad.isEmpty()) {
                System.out.println("run " + r.get("id").asText() + " (" + r.get("experiment").asText() + "): every recorded metric reproduced bit for bit");
                return 0;
            }
            System.out.println("run " + r.get("id").asText() + " NOT reproduced:");
            bad.forEach(b -> System.out.println("  " + b));
            return 1;
        }
    }
}
