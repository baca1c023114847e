package org.voxkd.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.voxkd.eval.Baseline;
import org.voxkd.data.DataCheck;
import org.voxkd.data.DatasetHash;
import org.voxkd.data.Lists;
import org.voxkd.data.SynthVox;
import org.voxkd.data.VoxCelebLayout;
import org.voxkd.data.VoxCelebPrepare;
import org.voxkd.stats.Eer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code voxkd data}: build data sets and lists. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Build data sets and lists.",
        subcommands = {DataCommand.Synth.class, DataCommand.VoxCeleb.class, DataCommand.Prepare.class, DataCommand.Check.class})
public final class DataCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("voxkd data: choose a subcommand: synth, voxceleb, prepare, check (see --help)");
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
                System.out.printf("baseline (mean log-mel + cosine): EER %.2f%%, minDCF %.4f (P_target 0.05, C_miss 1, C_fa 1) on %d trials%n",
                        100 * r.eer(), r.minDcf05(), r.targets() + r.nonTargets());
            }
            return 0;
        }
    }

    @Command(name = "voxceleb", mixinStandardHelpOptions = true,
            description = {"Write a training list from a ROOT/SPEAKER/VIDEO/UTT.wav tree (paths relative to ROOT; VoxCeleb1's wav/ folder).",
                    "Files left out (other extensions, other depths, top folders that are not speaker ids such as rirs/ or musan/) are counted "
                            + "and reported. For the whole VoxCeleb1+2 preparation (m4a conversion, validation and test lists) see `data prepare voxceleb`."})
    static final class VoxCeleb implements Callable<Integer> {
        @Option(names = "--root", required = true, description = "the folder holding the speaker folders")
        Path root;
        @Option(names = "--out", required = true, description = "list file to write (atomically)")
        Path out;
        @Option(names = "--speakers", defaultValue = "id\\d+", description = "regular expression a speaker folder must match (default: ${DEFAULT-VALUE})")
        String speakers;

        @Override
        public Integer call() throws Exception {
            VoxCelebLayout.Scan s = VoxCelebLayout.scan(root, "wav", java.util.regex.Pattern.compile(speakers));
            Lists.writeTrainList(out, s.list());
            System.out.printf("%s: %d utterances of %d speakers%n", out, s.list().size(), Lists.speakers(s.list()).size());
            for (String r : s.report("wav")) System.err.println("left out " + r);
            return 0;
        }
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true, description = "Prepare an official corpus for training and evaluation.",
            subcommands = {DataCommand.PrepareVoxCeleb.class})
    static final class Prepare implements Callable<Integer> {
        @Override
        public Integer call() {
            System.err.println("voxkd data prepare: choose a corpus: voxceleb (see --help)");
            return 2;
        }
    }

    @Command(name = "voxceleb", mixinStandardHelpOptions = true,
            description = {"VoxCeleb1 (wav/idXXXXX/VIDEO/NNNNN.wav) and VoxCeleb2 (dev/aac/idXXXXX/VIDEO/NNNNN.m4a) to the folder "
                    + "`voxkd reproduce --profile paper --data OUT` reads: OUT/wav (VoxCeleb1 speakers linked, VoxCeleb2 converted to 16 kHz mono WAV "
                    + "by ffmpeg, in parallel, resumable, a finished file never overwritten), OUT/train_list.txt (test and validation speakers removed), "
                    + "OUT/val_trials.txt (held-out speakers), OUT/test_trials.txt (the first --test-list; others as test_trials_NAME.txt), "
                    + "OUT/musan and OUT/rirs (checked, linked).",
                    "Lists quote a path with spaces in double quotes (\\\" and \\\\ inside); every voxkd reader reads them."})
    static final class PrepareVoxCeleb implements Callable<Integer> {
        @Option(names = "--vox1", description = "VoxCeleb1 folder (its wav/ inside, or the wav/ folder itself)") Path vox1;
        @Option(names = "--vox2", description = "VoxCeleb2 folder (its dev/aac/ inside, or that folder itself)") Path vox2;
        @Option(names = "--test-list", description = "official trial list (e.g. veri_test2.txt = VoxCeleb1-O cleaned, list_test_all2.txt = -E, "
                + "list_test_hard2.txt = -H), paths relative to VoxCeleb1's wav/; repeatable, the first becomes test_trials.txt") List<Path> testLists = new java.util.ArrayList<>();
        @Option(names = "--musan", description = "MUSAN folder (noise/, speech/, music/), checked and linked as OUT/musan") Path musan;
        @Option(names = "--rirs", description = "room impulse responses (e.g. RIRS_NOISES/simulated_rirs), checked and linked as OUT/rirs") Path rirs;
        @Option(names = "--out", required = true, description = "output folder") Path out;
        @Option(names = "--val-speakers", defaultValue = "40", description = "speakers held out of training for the validation list (default: ${DEFAULT-VALUE})") int valSpeakers;
        @Option(names = "--val-trials", defaultValue = "4000", description = "validation trials, half target (default: ${DEFAULT-VALUE})") int valTrials;
        @Option(names = "--seed", defaultValue = "1", description = "seed of the held-out speakers and the validation pairs (default: ${DEFAULT-VALUE})") long seed;
        @Option(names = "--jobs", defaultValue = "0", description = "ffmpeg processes at once, 0 = one per core") int jobs;
        @Option(names = "--ffmpeg", defaultValue = "ffmpeg", description = "the ffmpeg program (default: ${DEFAULT-VALUE})") String ffmpeg;
        @Option(names = "--speakers", defaultValue = "id\\d+", description = "regular expression a speaker folder must match (default: ${DEFAULT-VALUE})") String speakers;
        @Option(names = "--progress", defaultValue = "10", description = "seconds between progress lines (default: ${DEFAULT-VALUE})") double progress;

        @Override
        public Integer call() throws Exception {
            int j = jobs > 0 ? jobs : Runtime.getRuntime().availableProcessors();
            VoxCelebPrepare.Options o = new VoxCelebPrepare.Options(vox1, vox2, testLists, musan, rirs, out, valSpeakers, valTrials, seed, j, ffmpeg,
                    java.util.regex.Pattern.compile(speakers), progress);
            if (testLists.isEmpty()) System.err.println("warning: no --test-list: no test speakers are removed from training and no test_trials.txt is written");
            VoxCelebPrepare.Result r = VoxCelebPrepare.run(o, System.err);
            VoxCelebPrepare.summary(o, r).forEach(System.out::println);
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check that every file of a training and/or trial list exists and is a readable 16 kHz WAV; print the data-set hash.")
    static final class Check implements Callable<Integer> {
        @Option(names = "--root", required = true, description = "directory the list paths are relative to")
        Path root;
        @Option(names = "--train-list", description = "training list to check (speaker path per line)")
        Path trainList;
        @Option(names = "--trials", description = "trial list to check (label path1 path2 per line)")
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
