package org.voxkd.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configurations are strict: duplicate and unknown keys, values of the wrong type and values out of range are
 * errors naming the file and the line of the key, found when the file is read (before any training).
 */
class TrainConfigTest {
    @TempDir Path dir;

    Path file(String yaml) throws IOException {
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, "data: {train_list: list.txt}\n" + yaml);
        return f;
    }

    /** The error of loading {@code yaml} (after a first line naming the training list). */
    String error(String yaml) throws IOException {
        Path f = file(yaml);
        IOException e = assertThrows(IOException.class, () -> TrainConfig.load(f), yaml);
        return e.getMessage();
    }

    void assertAt(String yaml, int line, String... words) throws IOException {
        String m = error(yaml);
        assertTrue(m.startsWith(dir.resolve("run.yaml") + ":" + line + ": "), "line " + line + " expected: " + m);
        for (String w : words) assertTrue(m.contains(w), "'" + w + "' in: " + m);
    }

    @Test
    void duplicateKeysNameBothLines() throws IOException {
        assertAt("optim:\n  batch: 16\n  lr: 0.1\n  batch: 32\n", 5, "duplicate key optim.batch", "run.yaml:3");
        assertAt("seed: 1\nseed: 2\n", 3, "duplicate key seed");
    }

    @Test
    void unknownKeysAreNamedWithTheKnownOnes() throws IOException {
        assertAt("optim: {batchh: 3}\n", 2, "unknown key optim.batchh", "batch");
        assertAt("\n\nmodle: {kind: student}\n", 4, "unknown key modle");
    }

    @Test
    void noCoercion() throws IOException {
        assertAt("optim: {batch: 64.9}\n", 2, "optim.batch must be an integer, got 64.9");
        assertAt("optim:\n  epochs: '3'\n", 3, "optim.epochs must be an integer", "'3'");
        assertAt("data2: 1\n", 2, "unknown key");
        assertAt("seed: 1.5\n", 2, "seed must be an integer");
        assertAt("model: {kind: 7}\n", 2, "model.kind must be a string");
        assertAt("optim:\n  lr: fast\n", 3, "optim.lr must be a number");
        assertAt("optim: [1, 2]\n", 2, "optim must be a mapping");
        assertAt("eval:\n  crops: ~\n", 3, "eval.crops has no value");
        assertAt("optim: {batch: 99999999999}\n", 2, "optim.batch", "out of range");
        assertEquals(1.0f, TrainConfig.load(file("optim: {lr: 1}\n")).optim().lr(), "an integer is a number");
    }

    @Test
    void rangesAreCheckedAtTheKey() throws IOException {
        assertAt("optim:\n  lr: 0\n", 3, "optim.lr must be a positive number");
        assertAt("optim:\n  lr: -0.001\n", 3, "optim.lr");
        assertAt("optim: {weight_decay: -1}\n", 2, "optim.weight_decay must be a non-negative number");
        assertAt("optim: {lr_decay: 1.5}\n", 2, "optim.lr_decay must be in (0, 1]");
        assertAt("optim: {batch: 1}\n", 2, "optim.batch must be at least 2");
        assertAt("optim: {accumulate: 0}\n", 2, "optim.accumulate");
        assertAt("optim: {epochs: 0}\n", 2, "optim.epochs");
        assertAt("optim: {epochs: 70000}\n", 2, "optim.epochs must be at most 65535");
        assertAt("loss: {alpha: 1.5}\n", 2, "loss.alpha must be in [0.0, 1.0]");
        assertAt("loss: {alpha: -0.1}\n", 2, "loss.alpha");
        assertAt("loss: {tau: 0}\n", 2, "loss.tau must be a positive number");
        assertAt("loss: {margin: -0.2}\n", 2, "loss.margin must be a non-negative number");
        assertAt("loss: {scale: 0}\n", 2, "loss.scale must be a positive number");
        assertAt("loss: {classifier: softmax}\n", 2, "loss.classifier must be aam or am");
        assertAt("eval: {interval: 0}\n", 2, "eval.interval must be at least 1");
        assertAt("eval: {patience: -1}\n", 2, "eval.patience");
        assertAt("eval: {crops: -1}\n", 2, "eval.crops");
        assertAt("eval: {frames: 0}\n", 2, "eval.frames must be at least 1");
        assertAt("model: {dropout: 1.0}\n", 2, "model.dropout must be in [0.0, 1.0)");
        assertAt("model: {hidden: 10, groups: 4}\n", 2, "divisible");
        assertAt("model: {kind: teacher, lstm_layers: 0}\n", 2, "model.lstm_layers");
        assertAt("model: {kind: teacher, lstm_dropout: -0.5}\n", 2, "model.lstm_dropout");
        assertAt("backend: cuda\n", 2, "backend must be cpu or opencl");
        assertAt("optim: {lr: .inf}\n", 2, "optim.lr", "not a number");
        // several problems: all of them, each at its line
        String m = error("optim: {lr: 0}\neval: {interval: 0}\n");
        assertTrue(m.contains("run.yaml:2: optim.lr") && m.contains("run.yaml:3: eval.interval"), m);
    }

    @Test
    void augmentationNeedsItsFolders() throws IOException {
        assertAt("x: 1\n", 2, "unknown key x");
        String m = error("data2: {}\n");
        assertTrue(m.contains("unknown key data2"), m);
        Path f = dir.resolve("aug.yaml");
        Files.writeString(f, "data:\n  train_list: list.txt\n  augment: true\n  musan: noise\n");
        IOException e = assertThrows(IOException.class, () -> TrainConfig.load(f));
        assertTrue(e.getMessage().startsWith(f + ":3: data.augment: true needs data.musan") && e.getMessage().contains("data.rirs is missing"), e.getMessage());
        Files.writeString(f, "data:\n  train_list: list.txt\n  augment: true\n  musan: noise\n  rirs: rooms\n  spec_augment: {freq_width: 81}\n");
        e = assertThrows(IOException.class, () -> TrainConfig.load(f));
        assertTrue(e.getMessage().startsWith(f + ":6: data.spec_augment.freq_width must be at most 80"), e.getMessage());
        Files.writeString(f, "data:\n  train_list: list.txt\n  augment: true\n  musan: noise\n  rirs: rooms\n");
        TrainConfig c = TrainConfig.load(f);
        assertEquals(dir.resolve("noise").toString(), c.data().musan());
        assertEquals(new TrainConfig.SpecAugment(1, 10, 1, 8), c.data().specAugment());
        // without augment the folders are not part of the run
        Files.writeString(f, "data:\n  train_list: list.txt\n  musan: noise\n  rirs: rooms\n");
        c = TrainConfig.load(f);
        assertNull(c.data().musan());
        assertNull(c.data().augmentation());
    }

    @Test
    void badYamlNamesTheLine() throws IOException {
        String m = error("optim: {lr: [\n");
        assertTrue(m.matches("\\Q" + dir.resolve("run.yaml") + "\\E:[23]: .+"), m);
        Path f = dir.resolve("list.yaml");
        Files.writeString(f, "- a\n- b\n");
        IOException e = assertThrows(IOException.class, () -> TrainConfig.load(f));
        assertTrue(e.getMessage().startsWith(f + ":1: a configuration is a YAML mapping"), e.getMessage());
        Files.writeString(f, "");
        e = assertThrows(IOException.class, () -> TrainConfig.load(f));
        assertTrue(e.getMessage().startsWith(f + ": empty configuration"), e.getMessage());
    }

    /** A resolved configuration read back (a ledger record) is the same configuration. */
    @Test
    void resolvedTreesReadBack() throws IOException {
        TrainConfig c = TrainConfig.load(file("optim: {batch: 16}\n"));
        assertEquals(c, TrainConfig.fromTree(c.toTree(), dir.resolve("x.yaml")));
    }
}
