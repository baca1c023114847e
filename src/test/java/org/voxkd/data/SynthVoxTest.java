package org.voxkd.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.audio.Wav;
import org.voxkd.eval.Baseline;
import org.voxkd.stats.Eer;

class SynthVoxTest {
    /**
     * The smoke corpus of seed 1 under generator version synthvox-4. If you changed the generator on
     * purpose, bump SynthVox.GENERATOR_VERSION and update this hash.
     */
    static final String SMOKE_SEED1_HASH = "6f2df9cba6a9001cbd831f2fab260ad27d6a091177ac28f4f9669afba530cacf";

    @TempDir Path dir;

    @Test
    void deterministicWhateverTheThreadCount() throws IOException {
        SynthVox.Manifest a = SmokeCorpus.get(); // generated on 2 threads
        SynthVox.Manifest b = SynthVox.generate(SynthVox.Profile.SMOKE, SmokeCorpus.SEED, dir, 1);
        assertEquals(a.corpusHash(), b.corpusHash());
        assertEquals(a.files(), b.files());
        assertArrayEquals(Files.readAllBytes(a.wavRoot().resolve(a.files().get(5).path())), Files.readAllBytes(b.wavRoot().resolve(b.files().get(5).path())));
        assertArrayEquals(Files.readAllBytes(a.root().resolve("manifest.json")), Files.readAllBytes(b.root().resolve("manifest.json")));
        assertEquals(SMOKE_SEED1_HASH, a.corpusHash(), "SynthVox output changed: bump GENERATOR_VERSION and update the pinned hash");
        // the corpus hash is the data-set hash of the written files and lists
        assertEquals(a.corpusHash(), DatasetHash.of(a.wavRoot(), a.trainList(), a.valTrials(), a.testTrials()));
        // another seed gives another corpus
        SynthVox.Manifest c = SynthVox.generate(SynthVox.Profile.SMOKE, 2, dir.resolve("other"), 2);
        assertFalse(c.corpusHash().equals(a.corpusHash()));
    }

    @Test
    void layoutListsAndManifest() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        SynthVox.Profile p = SynthVox.Profile.SMOKE;
        List<Lists.Utterance> train = Lists.readTrainList(m.trainList());
        assertEquals(p.trainSpeakers() * p.trainUtterances(), train.size());
        assertEquals(p.trainSpeakers(), Lists.speakers(train).size());
        assertEquals(train.size() + p.valSpeakers() * p.valUtterances() + p.testSpeakers() * p.testUtterances(), m.files().size());
        // VoxCeleb layout: the voxceleb scanner rebuilds a list containing every training file
        VoxCelebLayout.Scan scan = VoxCelebLayout.scan(m.wavRoot());
        assertTrue(scan.list().containsAll(train));
        assertEquals(m.files().size(), scan.list().size());
        // real 16 kHz 16-bit mono files of 2–3 s
        for (SynthVox.FileEntry f : m.files().subList(0, 10)) {
            Wav.Info info = Wav.probe(m.wavRoot().resolve(f.path()), 16000);
            assertEquals(1, info.channels());
            assertEquals(16, info.bitsPerSample());
            assertEquals(f.samples(), info.frames());
            assertTrue(info.seconds() >= 2.0 && info.seconds() <= 3.0, f.path() + " " + info.seconds());
            assertEquals(f.sha256(), DatasetHash.sha256(m.wavRoot().resolve(f.path())));
        }
        JsonNode json = new ObjectMapper().readTree(m.root().resolve("manifest.json").toFile());
        assertEquals(SynthVox.GENERATOR_VERSION, json.get("generator_version").asText());
        assertEquals(m.corpusHash(), json.get("corpus_hash").asText());
        assertEquals("smoke", json.get("parameters").get("profile").asText());
        assertEquals(m.files().size(), json.get("files").size());
        assertEquals(m.files().get(0).sha256(), json.get("files").get(0).get("sha256").asText());
    }

    /**
     * The augmentation sets: MUSAN and RIR layout, the counts of the profile, every file in the manifest, the folder hashes
     * equal to what the data hash of an augmented run computes, and pinned (the generator is deterministic).
     */
    @Test
    void augmentationSetsInMusanAndRirLayout() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        SynthNoise.Sizes z = SynthNoise.Sizes.of(SynthVox.Profile.SMOKE);
        assertEquals(z.noise(), org.voxkd.audio.Augment.wavFiles(m.musan().resolve("noise")).size());
        assertEquals(z.speech(), org.voxkd.audio.Augment.wavFiles(m.musan().resolve("speech")).size());
        assertEquals(z.music(), org.voxkd.audio.Augment.wavFiles(m.musan().resolve("music")).size());
        assertEquals(z.rirs(), org.voxkd.audio.Augment.wavFiles(m.rirs()).size());
        assertEquals(z.noise() + z.speech() + z.music() + z.rirs(), m.augmentationFiles().size());
        for (SynthVox.FileEntry f : m.augmentationFiles()) {
            Wav.Info info = Wav.probe(m.root().resolve(f.path()), 16000);
            assertEquals(f.samples(), info.frames());
            assertEquals(f.sha256(), DatasetHash.sha256(m.root().resolve(f.path())));
            double rms = Math.sqrt(org.voxkd.audio.Dsp.power(Wav.read(m.root().resolve(f.path()))));
            assertTrue(rms > 1e-3, f.path() + " is silent");
        }
        assertEquals(DatasetHash.ofFolder(m.musan()), m.musanHash());
        assertEquals(DatasetHash.ofFolder(m.rirs()), m.rirsHash());
        JsonNode json = new ObjectMapper().readTree(m.root().resolve("manifest.json").toFile());
        assertEquals(m.musanHash(), json.get("augmentation").get("musan_hash").asText());
        assertEquals(m.augmentationFiles().size(), json.get("augmentation").get("files").size());
        assertEquals(SMOKE_SEED1_MUSAN, m.musanHash(), "SynthVox augmentation output changed: bump GENERATOR_VERSION and update the pinned hash");
        assertEquals(SMOKE_SEED1_RIRS, m.rirsHash(), "SynthVox augmentation output changed: bump GENERATOR_VERSION and update the pinned hash");
        String d = new org.voxkd.audio.Augment(org.voxkd.audio.Augment.Config.waveform(m.musan(), m.rirs())).describe();
        assertTrue(d.contains("speech 13–20 dB SNR (3–7 of " + z.speech() + " files)") && d.contains("reverberation (" + z.rirs() + " impulse responses)"), d);
        // an impulse response peaks at its direct path and decays
        float[] h = Wav.read(org.voxkd.audio.Augment.wavFiles(m.rirs()).get(0));
        int peak = 0;
        for (int i = 0; i < h.length; i++) if (Math.abs(h[i]) > Math.abs(h[peak])) peak = i;
        assertTrue(peak < 0.004 * 16000, "direct path at sample " + peak);
        double early = 0, late = 0;
        for (int i = 0; i < h.length / 4; i++) early += h[i] * (double) h[i];
        for (int i = 3 * h.length / 4; i < h.length; i++) late += h[i] * (double) h[i];
        assertTrue(late < early / 100, "the tail decays: " + early + " vs " + late);
    }

    /** The augmentation sets of the smoke corpus, seed 1, synthvox-4. */
    static final String SMOKE_SEED1_MUSAN = "76e188a849bf3ee4c9a7dae2aeeee08d58895a860de0cab4aa4dff5070f5f96f",
            SMOKE_SEED1_RIRS = "881bcfc3780e12c95239e3379ecce2235762b43be569b34952395269405f9b73";

    @Test
    void trialsAreBalancedAndSpeakerSetsDisjoint() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        Set<String> train = new HashSet<>(Lists.speakers(Lists.readTrainList(m.trainList())));
        Set<String> val = speakersOf(Lists.readTrialList(m.valTrials()), SynthVox.Profile.SMOKE.valTrials(), SynthVox.Profile.SMOKE.valSpeakers());
        Set<String> test = speakersOf(Lists.readTrialList(m.testTrials()), SynthVox.Profile.SMOKE.testTrials(), SynthVox.Profile.SMOKE.testSpeakers());
        for (String s : val) assertFalse(train.contains(s) || test.contains(s), "validation speaker " + s + " is also a training or test speaker");
        for (String s : test) assertFalse(train.contains(s), "test speaker " + s + " is also a training speaker");
    }

    static Set<String> speakersOf(List<Lists.Trial> trials, int count, int speakers) {
        assertEquals(count, trials.size());
        assertEquals(trials.size() / 2, trials.stream().filter(t -> t.label() == 1).count());
        Set<String> testSpeakers = new HashSet<>(), pairs = new HashSet<>();
        for (Lists.Trial t : trials) {
            String s1 = t.enroll().substring(0, 7), s2 = t.test().substring(0, 7);
            testSpeakers.add(s1);
            testSpeakers.add(s2);
            assertEquals(t.label() == 1, s1.equals(s2), t.toString());
            if (t.label() == 1) assertFalse(t.enroll().split("/")[1].equals(t.test().split("/")[1]), "target trials pair different sessions: " + t);
            assertTrue(pairs.add(t.enroll() + " " + t.test()) && !pairs.contains(t.test() + " " + t.enroll()), "duplicate trial " + t);
        }
        assertEquals(speakers, testSpeakers.size());
        return testSpeakers;
    }

    @Test
    void baselineEerIsInTheCalibratedRange() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        Eer.Result r = Baseline.evaluate(m.wavRoot(), Lists.readTrialList(m.testTrials()), 2);
        System.out.printf("SynthVox smoke (seed 1): generated in %.1f s; baseline EER %.2f%%, minDCF(0.05) %.3f%n",
                SmokeCorpus.generationSeconds, 100 * r.eer(), r.minDcf05());
        assertTrue(r.eer() >= 0.2 && r.eer() <= 0.45, "baseline EER " + r.eer());
    }
}
