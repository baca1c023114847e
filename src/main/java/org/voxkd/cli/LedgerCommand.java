package org.voxkd.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
            description = {"Re-run a recorded configuration and judge it: reproduced bit for bit (exit 0), within tolerance on another environment (exit 3), or not reproduced (exit 4).",
                    "A run that reads a checkpoint no longer on disk (committed results hold no checkpoints: a student's teacher) first verifies the run "
                            + "that made it and trains from its re-run; the run's own verdict can be no better than that one's."})
    static final class Verify implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Mixin Where where = new Where();
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--root", defaultValue = ".", description = "Project root the recorded paths are relative to.") Path root;
        /** The verdicts of the runs verified so far in this command (a teacher read twice is re-run once). */
        private final java.util.Map<String, Verifier.Verdict> verified = new java.util.HashMap<>();

        @Override public Integer call() throws Exception {
            Ledger ledger = new Ledger(where.results);
            Path scratch = Files.createTempDirectory("voxkd-verify");
            // the re-runs are judged, then thrown away: the scratch folder goes on any exit, Ctrl-C included
            Thread hook = new Thread(() -> deleteTree(scratch), "remove " + scratch);
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return verify(ledger.records(), find(ledger, id), scratch, ledger.file()).exitCode;
            } finally {
                deleteTree(scratch);
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running
                }
            }
        }

        /** Removes a folder this command created, with everything in it. */
        static void deleteTree(Path dir) {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                // best effort: a file held open elsewhere stays
            }
        }

        /** Verifies {@code record} (after the runs whose missing checkpoints it reads); the worst verdict of them all. */
        private Verifier.Verdict verify(List<ObjectNode> records, ObjectNode record, Path scratch, Path ledgerFile) throws Exception {
            Path rootAbs = root.toAbsolutePath().normalize(), results = where.results.toAbsolutePath().normalize();
            ObjectNode r = record.deepCopy();
            String rid = r.get("id").asText();
            Verifier.Verdict worst = Verifier.Verdict.BIT_FOR_BIT;
            for (ObjectNode holder : checkpointHolders(r.get("config"))) {
                Path ckpt = rootAbs.resolve(holder.get("checkpoint").asText()).normalize();
                if (Files.exists(ckpt)) continue;
                ObjectNode maker = records.stream().filter(o -> results.resolve(o.get("dir").asText()).resolve("best.ckpt").normalize().equals(ckpt))
                        .reduce((a, b) -> b).orElseThrow(() -> new IllegalArgumentException("run " + rid + " reads " + ckpt
                                + ", which is not on disk and was not made by a run of " + ledgerFile + ": restore it first"));
                String mid = maker.get("id").asText();
                Verifier.Verdict v = verified.get(mid);
                if (v == null) {
                    System.out.println("run " + rid + " reads " + where.results.resolve(maker.get("dir").asText()).resolve("best.ckpt")
                            + ", which is not on disk: verifying the run that made it (" + mid + ", " + maker.get("experiment").asText()
                            + ", seed " + maker.path("seed").asLong() + ") first, then training from its re-run");
                    verified.put(mid, v = verify(records, maker, scratch, ledgerFile));
                    System.out.println();
                }
                if (v == Verifier.Verdict.NOT_REPRODUCED) {
                    System.out.println("run " + rid + ": NOT verified (the run it reads from was not reproduced)");
                    return v;
                }
                if (v.exitCode > worst.exitCode) worst = v;
                holder.put("checkpoint", scratch.resolve("verify-" + mid).resolve("best.ckpt").toString());
            }
            Verifier.Outcome o = Verifier.verify(r, rootAbs, results, scratch, System.out);
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
            return o.verdict().exitCode > worst.exitCode ? o.verdict() : worst;
        }

        /** Every object of a run's configuration that names a checkpoint (teachers, an initialisation). */
        private static List<ObjectNode> checkpointHolders(com.fasterxml.jackson.databind.JsonNode n) {
            List<ObjectNode> out = new java.util.ArrayList<>();
            collect(n, out);
            return out;
        }

        private static void collect(com.fasterxml.jackson.databind.JsonNode n, List<ObjectNode> out) {
            if (n instanceof ObjectNode o) {
                if (o.path("checkpoint").isTextual()) out.add(o);
                o.elements().forEachRemaining(x -> collect(x, out));
            } else if (n != null && n.isArray()) n.elements().forEachRemaining(x -> collect(x, out));
        }
    }
}
