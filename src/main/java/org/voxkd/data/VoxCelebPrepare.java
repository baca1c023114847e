package org.voxkd.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.voxkd.audio.Augment;
import org.voxkd.io.AtomicFiles;

/**
 * {@code voxkd data prepare voxceleb}: the official VoxCeleb downloads to the folder {@code reproduce --profile paper
 * --data OUT} reads.
 *
 * <pre>
 *   VoxCeleb1  wav/idXXXXX/VIDEO/NNNNN.wav      ─ linked ─────────────────┐
 *   VoxCeleb2  dev/aac/idXXXXX/VIDEO/NNNNN.m4a  ─ ffmpeg → 16 kHz mono WAV ┴► OUT/wav/idXXXXX/VIDEO/NNNNN.wav
 *   test lists (VoxCeleb1-O/E/H …, given)        ─ every path checked ────────► OUT/test_trials.txt (+ test_trials_NAME.txt)
 *   speakers − test speakers − held-out          ───────────────────────────► OUT/train_list.txt
 *   held-out speakers (count, seed)              ─ target / non-target pairs ─► OUT/val_trials.txt
 *   MUSAN, RIR folders (optional)                ─ checked, linked ───────────► OUT/musan, OUT/rirs
 * </pre>
 *
 * VoxCeleb1 speakers are linked (one symbolic link per speaker folder), so its files are neither copied nor converted;
 * the speaker ids of VoxCeleb1 (id1…) and VoxCeleb2 (id0…) do not collide, and a collision is an error. Conversion runs
 * {@code jobs} ffmpeg processes at once with progress and ETA; each WAV is written to a temporary name in its folder,
 * checked (16 kHz mono, readable) and hard-linked to its final name, so a finished file is never overwritten and an
 * interrupted run resumes where it stopped (finished files are skipped, stale temporary files removed). The validation
 * speakers are drawn from the training candidates (every speaker not in a test list) by a seeded shuffle; they are
 * disjoint from the test speakers and removed from training. Lists are written with {@link Lists}' quoting rule; a list
 * already in OUT with other content is never replaced (an error says so).
 */
public final class VoxCelebPrepare {
    private VoxCelebPrepare() {}

    /**
     * What to prepare. {@code vox1}: VoxCeleb1's folder (or its {@code wav/}); {@code vox2}: VoxCeleb2's folder (or its
     * {@code dev/aac/}, or {@code aac/}); either may be null, not both. {@code testLists}: trial lists whose paths are
     * relative to VoxCeleb1's {@code wav/} (the official lists are). {@code musan}/{@code rirs}: optional, checked.
     */
    public record Options(Path vox1, Path vox2, List<Path> testLists, Path musan, Path rirs, Path out, int valSpeakers, int valTrials,
                          long seed, int jobs, String ffmpeg, Pattern speakers, double progressSeconds) {
        public Options {
            testLists = List.copyOf(testLists);
            if (vox1 == null && vox2 == null) throw new IllegalArgumentException("give --vox1 and/or --vox2 (the VoxCeleb folders)");
            if (valSpeakers < 2) throw new IllegalArgumentException("--val-speakers must be at least 2 (non-target trials need two speakers), got " + valSpeakers);
            if (valTrials < 2) throw new IllegalArgumentException("--val-trials must be at least 2 (a target and a non-target), got " + valTrials);
            if (jobs < 1) throw new IllegalArgumentException("--jobs must be at least 1, got " + jobs);
        }
    }

    /** What was prepared, for the summary and the tests. */
    public record Result(int trainSpeakers, int trainUtterances, List<String> valSpeakers, int valTargets, int valNonTargets,
                         Set<String> testSpeakers, int removedTestSpeakers, int converted, int alreadyConverted, List<String> written) {}

    /** Prepares OUT; progress and every report of files left out go to {@code log}. */
    public static Result run(Options o, PrintStream log) throws IOException, InterruptedException {
        Path out = o.out().toAbsolutePath().normalize(), wav = out.resolve("wav");
        // 1. scan the sources (nothing found is dropped silently: what was left out is reported)
        Path v1 = o.vox1() == null ? null : sub(o.vox1(), "wav"), v2 = o.vox2() == null ? null : sub(sub(o.vox2(), "dev/aac"), "aac");
        VoxCelebLayout.Scan s1 = v1 == null ? null : VoxCelebLayout.scan(v1, "wav", o.speakers());
        VoxCelebLayout.Scan s2 = v2 == null ? null : VoxCelebLayout.scan(v2, "m4a", o.speakers());
        if (s1 != null) for (String r : s1.report("wav")) log.println("VoxCeleb1 " + v1 + ": left out " + r);
        if (s2 != null) for (String r : s2.report("m4a")) log.println("VoxCeleb2 " + v2 + ": left out " + r);
        Map<String, List<String>> bySpeaker = new TreeMap<>(); // speaker → utterance paths relative to OUT/wav
        Set<String> vox1Speakers = new TreeSet<>();
        if (s1 != null) for (Lists.Utterance u : s1.list()) { vox1Speakers.add(u.speaker()); bySpeaker.computeIfAbsent(u.speaker(), k -> new ArrayList<>()).add(u.path()); }
        List<String[]> conversions = new ArrayList<>(); // {source m4a, target relative wav}
        if (s2 != null) {
            Set<String> clash = new TreeSet<>();
            for (Lists.Utterance u : s2.list()) {
                if (vox1Speakers.contains(u.speaker())) { clash.add(u.speaker()); continue; }
                String rel = u.path().substring(0, u.path().length() - 4) + ".wav";
                conversions.add(new String[] {v2.resolve(u.path()).toString(), rel});
                bySpeaker.computeIfAbsent(u.speaker(), k -> new ArrayList<>()).add(rel);
            }
            if (!clash.isEmpty())
                throw new IOException(clash.size() + " speaker ids are in both VoxCeleb1 (" + v1 + ") and VoxCeleb2 (" + v2 + "), e.g. " + clash.iterator().next()
                        + ": the official sets do not share ids; is one folder given twice?");
        }
        // 2. the test lists, every path checked against what the sources hold (before hours of conversion)
        Set<String> available = new HashSet<>();
        bySpeaker.values().forEach(available::addAll);
        List<List<Lists.Trial>> tests = new ArrayList<>();
        Set<String> testSpeakers = new TreeSet<>();
        for (Path t : o.testLists()) {
            List<Lists.Trial> trials = Lists.readTrialList(t);
            List<String> missing = new ArrayList<>();
            for (String p : Lists.trialPaths(trials)) {
                if (!available.contains(p)) missing.add(p);
                testSpeakers.add(speakerOf(p));
            }
            if (!missing.isEmpty())
                throw new IOException(t + ": " + missing.size() + " of " + Lists.trialPaths(trials).size() + " paths are not in the given VoxCeleb folders, e.g. "
                        + String.join(", ", missing.subList(0, Math.min(3, missing.size())))
                        + " (paths are relative to VoxCeleb1's wav/ folder; VoxCeleb1-E and -H need all of VoxCeleb1, dev and test)");
            tests.add(trials);
        }
        // 3. augmentation folders: checked now, not at the first augmented epoch
        if (o.musan() != null) {
            for (String k : new String[] {"noise", "speech", "music"})
                if (!Files.isDirectory(o.musan().resolve(k)) || Augment.wavFiles(o.musan().resolve(k)).isEmpty())
                    throw new IOException("MUSAN folder " + o.musan() + ": " + k + "/ is missing or has no .wav files (expected noise/, speech/ and music/ with WAVs)");
        }
        if (o.rirs() != null && (!Files.isDirectory(o.rirs()) || Augment.wavFiles(o.rirs()).isEmpty()))
            throw new IOException("RIR folder " + o.rirs() + " is not a directory or has no .wav files (e.g. RIRS_NOISES/simulated_rirs)");
        // 4. speakers: test speakers out of training; validation speakers held out by a seeded shuffle
        List<String> candidates = new ArrayList<>();
        int removed = 0;
        for (var e : bySpeaker.entrySet()) {
            if (testSpeakers.contains(e.getKey())) removed++;
            else candidates.add(e.getKey());
        }
        List<String> eligible = candidates.stream().filter(k -> bySpeaker.get(k).size() >= 2).toList();
        if (eligible.size() < o.valSpeakers() + 2)
            throw new IOException("only " + eligible.size() + " speakers outside the test lists have 2 or more utterances: not enough for " + o.valSpeakers()
                    + " validation speakers and a training set of at least 2 speakers (--val-speakers)");
        List<String> shuffled = new ArrayList<>(eligible);
        SplittableRandom rng = new SplittableRandom(o.seed());
        for (int i = shuffled.size() - 1; i > 0; i--) java.util.Collections.swap(shuffled, i, rng.nextInt(i + 1)); // Fisher–Yates
        List<String> val = shuffled.subList(0, o.valSpeakers()).stream().sorted().toList();
        List<Lists.Utterance> train = new ArrayList<>();
        for (String k : candidates) if (!val.contains(k)) for (String p : bySpeaker.get(k)) train.add(new Lists.Utterance(k, p));
        List<Lists.Trial> valTrials = valTrials(val, bySpeaker, o.valTrials(), o.seed());
        // 5. the audio: VoxCeleb1 linked, VoxCeleb2 converted (resumable)
        Files.createDirectories(wav);
        for (String k : vox1Speakers) link(wav.resolve(k), v1.resolve(k).toAbsolutePath().normalize());
        int[] counts = Ffmpeg.convertAll(o.ffmpeg(), conversions, wav, o.jobs(), o.progressSeconds(), log);
        // 6. lists, after checking that every file they name reads as 16 kHz audio
        DataCheck.checkTrialList(wav, valTrials);
        for (List<Lists.Trial> t : tests) DataCheck.checkTrialList(wav, t);
        List<String> written = new ArrayList<>();
        writeOnce(out.resolve("train_list.txt"), Lists.trainListText(train), written);
        writeOnce(out.resolve("val_trials.txt"), Lists.trialListText(valTrials), written);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tests.size(); i++) {
            String stem = o.testLists().get(i).getFileName().toString().replaceFirst("\\.[^.]*$", "").replaceAll("[^A-Za-z0-9._-]", "_");
            String name = i == 0 ? "test_trials.txt" : "test_trials_" + stem + ".txt";
            if (!names.add(name)) throw new IOException("two test lists are both named " + stem + "; rename one");
            writeOnce(out.resolve(name), Lists.trialListText(tests.get(i)), written);
        }
        if (o.musan() != null) link(out.resolve("musan"), o.musan().toAbsolutePath().normalize());
        if (o.rirs() != null) link(out.resolve("rirs"), o.rirs().toAbsolutePath().normalize());
        int targets = (int) valTrials.stream().filter(t -> t.label() == 1).count();
        return new Result(candidates.size() - val.size(), train.size(), val, targets, valTrials.size() - targets, testSpeakers, removed, counts[0], counts[1], written);
    }

    /** The speaker of a list path: its first folder. */
    static String speakerOf(String path) {
        int i = path.indexOf('/');
        return i < 0 ? path : path.substring(0, i);
    }

    /**
     * {@code count} validation trials from the held-out speakers, half targets (two utterances of one speaker, from two
     * videos when the speaker has more than one) and half non-targets (two speakers), alternating, no pair twice, drawn by
     * a seeded {@link SplittableRandom}. Fewer distinct pairs than asked (a tiny data set) gives what exists, at least one
     * of each kind.
     */
    static List<Lists.Trial> valTrials(List<String> speakers, Map<String, List<String>> bySpeaker, int count, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Set<String> seen = new HashSet<>();
        List<Lists.Trial> out = new ArrayList<>();
        int want = count, targets = 0, nonTargets = 0, misses = 0;
        while (out.size() < want && misses < 50 * count) {
            boolean target = out.size() % 2 == 0 ? targets <= nonTargets : targets < nonTargets;
            if (targets >= (want + 1) / 2) target = false;
            if (nonTargets >= want / 2) target = true;
            String a, b;
            if (target) {
                List<String> u = bySpeaker.get(speakers.get(rng.nextInt(speakers.size())));
                a = u.get(rng.nextInt(u.size()));
                b = u.get(rng.nextInt(u.size()));
                boolean manyVideos = u.stream().map(VoxCelebPrepare::videoOf).distinct().count() > 1;
                if (a.equals(b) || (manyVideos && videoOf(a).equals(videoOf(b)))) { misses++; continue; }
            } else {
                int i = rng.nextInt(speakers.size()), j = rng.nextInt(speakers.size());
                if (i == j) { misses++; continue; }
                List<String> ui = bySpeaker.get(speakers.get(i)), uj = bySpeaker.get(speakers.get(j));
                a = ui.get(rng.nextInt(ui.size()));
                b = uj.get(rng.nextInt(uj.size()));
            }
            String key = a.compareTo(b) < 0 ? a + "\n" + b : b + "\n" + a;
            if (!seen.add(key)) { misses++; continue; }
            out.add(new Lists.Trial(target ? 1 : 0, a, b));
            if (target) targets++; else nonTargets++;
        }
        if (targets == 0 || nonTargets == 0) throw new IOException("the validation speakers give no " + (targets == 0 ? "target" : "non-target") + " trial");
        return out;
    }

    private static String videoOf(String path) {
        String[] p = path.split("/");
        return p.length >= 2 ? p[0] + "/" + p[1] : path;
    }

    /** {@code dir/child} when that folder exists (the official archives' inner folder), else {@code dir}. */
    static Path sub(Path dir, String child) {
        Path c = dir.resolve(child);
        return Files.isDirectory(c) ? c : dir;
    }

    /** A symbolic link {@code link → target}; one already there that points to the same target is kept, anything else is an error. */
    static void link(Path link, Path target) throws IOException {
        if (Files.isSymbolicLink(link)) {
            Path now = Files.readSymbolicLink(link);
            if (now.equals(target)) return;
            throw new IOException(link + " links to " + now + ", not " + target + "; remove the link or choose another --out");
        }
        if (Files.exists(link)) throw new IOException(link + " exists and is not a link to " + target + "; refusing to replace it (choose another --out)");
        Files.createSymbolicLink(link, target);
    }

    /** Writes a list unless the file exists: with the same bytes it is kept, with other content it is an error (never replaced). */
    static void writeOnce(Path file, String text, List<String> written) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (Files.exists(file)) {
            if (java.util.Arrays.equals(Files.readAllBytes(file), bytes)) { written.add(file + " (unchanged)"); return; }
            throw new IOException(file + " exists with other content (another source, seed or count?); refusing to replace it: remove it or choose another --out");
        }
        if (!AtomicFiles.createExclusive(file, bytes)) throw new IOException(file + " was created by another process meanwhile; refusing to replace it");
        written.add(file.toString());
    }

    /** The command's summary lines. */
    public static List<String> summary(Options o, Result r) {
        List<String> l = new ArrayList<>();
        l.add(String.format(Locale.ROOT, "training list: %d utterances of %d speakers (%d speakers of the test lists removed, %d validation speakers held out)",
                r.trainUtterances(), r.trainSpeakers(), r.removedTestSpeakers(), r.valSpeakers().size()));
        l.add(String.format(Locale.ROOT, "validation trials: %d (%d target, %d non-target) from %d held-out speakers (--val-speakers %d, --seed %d), "
                + "disjoint from training and test speakers", r.valTargets() + r.valNonTargets(), r.valTargets(), r.valNonTargets(), r.valSpeakers().size(),
                o.valSpeakers(), o.seed()));
        if (r.valTargets() + r.valNonTargets() < o.valTrials())
            l.add(String.format(Locale.ROOT, "  (asked for %d: the held-out speakers give no more distinct target pairs; targets and non-targets are kept balanced)", o.valTrials()));
        l.add(String.format(Locale.ROOT, "audio: %d VoxCeleb2 files converted now, %d already converted", r.converted(), r.alreadyConverted()));
        for (String w : r.written()) l.add("wrote " + w);
        l.add("next: voxkd reproduce --profile paper --data " + o.out());
        return l;
    }
}
