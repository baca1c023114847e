package org.voxkd.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.voxkd.data.SmokeCorpus;
import org.voxkd.data.SynthVox;
import org.voxkd.train.TrainConfig;
import org.voxkd.train.Trainer;

/**
 * A small student trained briefly on the smoke SynthVox corpus (one per test JVM): a "trained-like" model whose
 * activations have the ranges training gives, for the quantization and deployment tests.
 */
final class TrainedStudent {
    private static Path checkpoint;

    private TrainedStudent() {}

    static SynthVox.Manifest corpus() { return SmokeCorpus.get(); }

    static synchronized Path checkpoint() {
        if (checkpoint == null) {
            try {
                SynthVox.Manifest c = corpus();
                Path dir = Files.createTempDirectory("voxkd-export-trained");
                Path yaml = dir.resolve("student.yaml");
                Files.writeString(yaml, "seed: 3\n"
                        + "model: {kind: student, hidden: 32, blocks: 2, expansion: 3, groups: 4, embedding: 48}\n"
                        + "optim: {batch: 16, epochs: 2, lr: 0.003}\n"
                        + "data: {train_list: " + c.trainList() + ", train_root: " + c.wavRoot() + ", max_frames: 80, workers: 2}\n");
                Trainer.Outcome o = new Trainer(TrainConfig.load(yaml), dir.resolve("run"), new PrintStream(new ByteArrayOutputStream())).run(false);
                checkpoint = o.best();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> org.voxkd.data.TestFiles.deleteTree(dir)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return checkpoint;
    }
}
