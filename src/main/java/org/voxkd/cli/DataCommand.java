package org.voxkd.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.voxkd.eval.Baseline;
import org.voxkd.data.DataCheck;
import org.voxkd.data.DatasetHash;
import org.voxkd.data.Lists;
import org.voxkd.data.SynthVox;
import org.voxkd.data.VoxCelebLayout;
import org.voxkd.stats.Eer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code voxkd data}: build data sets and lists. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Build data sets and lists.",
        subcommands = {DataCommand.Synth.class, DataCommand.VoxCeleb.class, DataCommand.Check.class})
public final class DataCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("voxkd data: choose a subcommand: synth, voxceleb, check (see --help)");
        return 2;
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Write the SynthVox corpus (WAVs in VoxCeleb layout, train_list.txt, val_trials.txt, test_trials.txt, "
                    + "augmentation sets in MUSAN/RIR layout under musan/ and rirs/, manifest.json).")
    static final class Synth implements Callable<Integer> {
        @Option(names = "--profile", defaultValue = "default", description = "smoke or default (default: ${DEFAULT-VALUE})")
        String profile;
        @Option(names = "--out", required = true, description = "output directory")
        Path out;
        @Option(names = "--seed", defaultValue = "1", description = "corpus seed (default: ${DEFAULT-VALUE})")
        long seed;
        @Option(names = "--threads", defaultValue = "0", description = "worker threads, 0 = all cores; the files do not depend on it")
        int threads;
        @Option(names = "--baseline", description = "also report the EER of the non-learned baseline (mean log-mel + cosine)")
        boolean baseline;

        @Override
        public Integer call() throws Exception {
            int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            long t0 = System.nanoTime();
            SynthVox.Manifest m = SynthVox.generate(SynthVox.Profile.named(profile), seed, out, t);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("SynthVox %s (%s, seed %d): %d files in %s, %.1f s on %d threads%ncorpus hash %s%n",
                    profile, m.generatorVersion(), seed, m.files().size(), out, seconds, t, m.corpusHash());
            if (baseline) {
                Eer.Result r = Baseline.evaluate(m.wavRoot(), Lists.readTrialList(m.testTrials()), t);
                System.out.printf("baseline (mean log-mel + cosine): EER %.2f%%, minDCF(0.05) %.4f on %d trials%n",
                        100 * r.eer(), r.minDcf05(), r.targets() + r.nonTargets());
            }
            return 0;
        }
    }

    @Command(name = "voxceleb", mixinStandardHelpOptions = true,
            description = "Write a training list from a ROOT/idXXXXX/VIDEO/UTT.wav tree (paths relative to ROOT).")
    static final class VoxCeleb implements Callable<Integer> {
        @Option(names = "--root", required = true)
        Path root;
        @Option(names = "--out", required = true, description = "list file to write")
        Path out;

        @Override
        public Integer call() throws Exception {
            VoxCelebLayout.Scan s = VoxCelebLayout.scan(root);
            Lists.writeTrainList(out, s.list());
            System.out.printf("%s: %d utterances of %d speakers%n", out, s.list().size(), Lists.speakers(s.list()).size());
            if (!s.skipped().isEmpty()) System.err.printf("skipped %d non-WAV files, e.g. %s%n", s.skipped().size(), s.skipped().get(0));
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check that every file of a training and/or trial list exists and is a readable 16 kHz WAV; print the data-set hash.")
    static final class Check implements Callable<Integer> {
        @Option(names = "--root", required = true, description = "directory the list paths are relative to")
        Path root;
        @Option(names = "--train-list")
        Path trainList;
        @Option(names = "--trials")
        Path trials;

        @Override
        public Integer call() throws Exception {
            if (trainList == null && trials == null) {
                System.err.println("give --train-list and/or --trials");
                return 2;
            }
            // a problem is an error the command line reports as one line (exit 2)
            if (trainList != null) System.out.printf("training list: %.1f hours%n", DataCheck.checkTrainList(root, Lists.readTrainList(trainList)) / 3600);
            if (trials != null) System.out.printf("trial list: %.1f hours%n", DataCheck.checkTrialList(root, Lists.readTrialList(trials)) / 3600);
            System.out.println("data-set hash " + DatasetHash.of(root, trainList, trials == null ? new Path[0] : new Path[] {trials}));
            return 0;
        }
    }
}
