package org.voxkd.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.data.SmokeCorpus;
import org.voxkd.data.SynthVox;
import org.voxkd.io.ConfigDoc;
import org.voxkd.train.TrainConfig;

/**
 * Profiles are strict and their errors are reported against the profile file (its line), not the experiment file an
 * overlay lands in; `voxkd reproduce` checks every arm's resolved configuration before the first run trains.
 */
class ProfileTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    @TempDir Path tmp;
    Path experiments, profileFile;

    @BeforeEach
    void copyExperiments() throws IOException {
        experiments = tmp.resolve("experiments");
        Files.createDirectories(experiments.resolve("profiles"));
        try (Stream<Path> s = Files.list(ROOT.resolve("experiments"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).toList()) Files.copy(f, experiments.resolve(f.getFileName()));
        }
        profileFile = experiments.resolve("profiles/t.yaml");
    }

    static final String HEAD = "profile: t\ncorpus: {synthvox: smoke, seed: 1}\nmodels:\n  v2: {hidden: 12, blocks: 2, embedding: 16}\n";

    Profile load(String yaml) throws IOException {
        Files.writeString(profileFile, yaml);
        return Profile.load(experiments, "t");
    }

    String loadError(String yaml) {
        return assertThrows(IOException.class, () -> load(yaml), yaml).getMessage();
    }

    /** The message names the profile file and line ({@code line} 0: the file as a whole). */
    void assertAt(String message, int line, String... words) {
        assertTrue(message.startsWith(profileFile + (line > 0 ? ":" + line : "") + ": "), "line " + line + " of the profile expected: " + message);
        for (String w : words) assertTrue(message.contains(w), "'" + w + "' in: " + message);
    }

    @Test
    void unknownKeysAndShapes() {
        assertAt(loadError(HEAD + "seedz: [1, 2]\n"), 5, "unknown key seedz");
        assertAt(loadError("profile: t\ncorpus: {synthvox: smoke, sed: 1}\n"), 2, "unknown key corpus.sed");
        assertAt(loadError("profile: t\ncorpus: {synthvox: huge}\n"), 2, "corpus.synthvox must be smoke or default");
        assertAt(loadError(HEAD + "seeds: [1, 1.5]\n"), 5, "seed 1.5 is not an integer");
        assertAt(loadError(HEAD + "seeds: [1, 1]\n"), 5, "listed twice");
        assertAt(loadError(HEAD + "analysis: {margin: 1}\n"), 5, "unknown analysis key margin");
        assertAt(loadError(HEAD + "analysis:\n  resamples: 10\n"), 6, "at least 100");
        assertAt(loadError(HEAD + "data: {train_list: a.txt}\n"), 0, "either a corpus");
        assertAt(loadError("profile: t\ndata: {train_list: a.txt, lists: b}\n"), 2, "unknown key data.lists");
        assertAt(loadError(HEAD + "experiments:\n  v2-cosine: [1]\n"), 6, "must be a mapping");
    }

    @Test
    void armsMustExist() {
        // a misspelled arm would otherwise train nothing like what was meant
        assertAt(loadError(HEAD + "experiments:\n  teacher: {}\n  v2-cosin: {model: v2}\n"), 7, "arm v2-cosin", "misspelling");
        assertAt(loadError(HEAD + "experiments:\n  sweep:\n    from: v2-cosin\n"), 7, "its 'from'");
        assertAt(loadError(HEAD + "experiments:\n  v2-nokd: {model: small}\n"), 6, "model size 'small'", "defined: v2");
    }

    @Test
    void overlayErrorsNameTheProfile() throws IOException {
        Profile p = load(HEAD + "all:\n  eval: {crops: 2}\nexperiments:\n  v2-nokd:\n    model: v2\n    optim: {batchh: 4}\n");
        IOException e = assertThrows(IOException.class, () -> resolve(p, "v2-nokd"));
        assertAt(e.getMessage(), 10, "unknown key optim.batchh");
        Profile q = load(HEAD + "all:\n  optim: {lr: 0}\nexperiments:\n  v2-nokd: {model: v2}\n");
        e = assertThrows(IOException.class, () -> resolve(q, "v2-nokd"));
        assertAt(e.getMessage(), 6, "optim.lr must be a positive number");
        Profile r = load(HEAD + "experiments:\n  v2-nokd:\n    model: v2\n    eval: {interval: 0}\n");
        e = assertThrows(IOException.class, () -> resolve(r, "v2-nokd"));
        assertAt(e.getMessage(), 8, "eval.interval");
        // a model size's values are the profile's too
        Profile s = load("profile: t\ncorpus: {synthvox: smoke}\nmodels:\n  v2: {hidden: 12, blocks: 0}\nexperiments:\n  v2-nokd: {model: v2}\n");
        e = assertThrows(IOException.class, () -> resolve(s, "v2-nokd"));
        assertAt(e.getMessage(), 4, "model.blocks");
        // a valid overlay resolves with the profile's values
        Profile ok = load(HEAD + "experiments:\n  v2-nokd: {model: v2, optim: {batch: 8}}\n");
        TrainConfig c = resolve(ok, "v2-nokd");
        assertEquals(12, c.model().hidden());
        assertEquals(8, c.optim().batch());
        assertEquals("v2-nokd", c.experiment());
        // an error in the experiment file itself is reported there
        Files.writeString(experiments.resolve("v2-nokd.yaml"), Files.readString(experiments.resolve("v2-nokd.yaml")).replace("tau: 4", "tau: -4"));
        e = assertThrows(IOException.class, () -> resolve(s, "v2-nokd"));
        assertTrue(e.getMessage().contains(experiments.resolve("v2-nokd.yaml") + ":"), e.getMessage());
    }

    /** An arm's configuration with a training list filled in, as `voxkd reproduce` fills in the data. */
    TrainConfig resolve(Profile p, String arm) throws IOException {
        ConfigDoc doc = p.experiment(arm);
        doc.merge("/data", ConfigDoc.of((com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"data\": {\"train_list\": \"list.txt\"}}"), "test data"), "/data");
        return TrainConfig.fromDoc(doc, experiments.resolve(arm + ".yaml"));
    }

    /** `voxkd reproduce` refuses a profile whose last arm is invalid before it trains the first. */
    @Test
    void reproduceChecksEveryArmFirst() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        String data = "profile: t\nseeds: [1]\ndata: {train_list: train_list.txt, train_root: wav, val_trials: val_trials.txt, test_trials: test_trials.txt,"
                + " trial_root: wav, musan: musan, rirs: no-such-rirs}\nmodels:\n  v2: {hidden: 12, blocks: 2, embedding: 16}\n";
        Profile p = load(data + "experiments:\n  teacher: {}\n  v2-nokd: {model: v2}\n  v2-cosine-aug:\n    model: v2\n    loss: {alpha: 2}\n");
        Path results = tmp.resolve("results");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Reproducer rep = new Reproducer(ROOT, results, p, new InProcessExecutor(quiet), null, null, false, m.root(), quiet);
        IOException e = assertThrows(IOException.class, rep::run);
        assertTrue(e.getMessage().contains("nothing was trained"), e.getMessage());
        assertTrue(e.getMessage().contains(profileFile + ":11: loss.alpha must be in [0.0, 1.0]"), e.getMessage());
        assertFalse(Files.exists(results.resolve("runs")), "no arm trained");
        assertFalse(Files.exists(results.resolve("ledger.jsonl")));
        // the missing augmentation folder of the augmented arm is found before training too
        Profile q = load(data + "experiments:\n  teacher: {}\n  v2-nokd: {model: v2}\n  v2-cosine-aug: {model: v2}\n");
        e = assertThrows(IOException.class, new Reproducer(ROOT, results, q, new InProcessExecutor(quiet), null, null, false, m.root(), quiet)::run);
        assertTrue(e.getMessage().contains("arm v2-cosine-aug: data.augment: RIR folder") && e.getMessage().contains("no-such-rirs"), e.getMessage());
        assertFalse(Files.exists(results.resolve("runs")));
    }
}
