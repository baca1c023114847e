package org.voxkd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.voxkd.export.TorchStateDict;
import org.voxkd.io.Checkpoint;
import org.voxkd.train.ModelFiles;
import org.voxkd.train.TrainConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import org.voxkd.io.OutputGuard;
import picocli.CommandLine.Spec;

/** `voxkd import`: a PyTorch state dict in safetensors as a voxkd model checkpoint. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a PyTorch state dict (safetensors, names and shapes of the reference modules) into a voxkd model checkpoint.",
                "Strict: every tensor of the model present with exactly its shape, no other tensor (BatchNorm num_batches_tracked optional)."})
public final class ImportCommand implements Callable<Integer> {
    @Option(names = "--safetensors", required = true, description = "The state dict (.safetensors).") Path safetensors;
    @ArgGroup(exclusive = true, multiplicity = "1") Network network;
    @Option(names = "--out", required = true, description = "The checkpoint to write (atomically).") Path out;
    @Spec CommandSpec spec;

    static final class Network {
        @Option(names = "--config", description = "A YAML file with a model section (an experiment file, or model: {...} alone).") Path config;
        @Option(names = "--like", description = "A checkpoint whose network (and configuration, class names) the weights belong to.") Path like;
    }

    @Override public Integer call() throws Exception {
        OutputGuard.refuseInputs("--out", out, OutputGuard.input("--safetensors", safetensors), OutputGuard.input("--like", network.like),
                OutputGuard.input("--config", network.config));
        TrainConfig.Model section;
        JsonNode config;
        List<String> classes = new ArrayList<>();
        if (network.like != null) {
            Checkpoint.Contents c = Checkpoint.load(network.like);
            section = ModelFiles.modelSection(c.meta(), network.like.toString());
            config = c.meta().path("config");
            c.meta().path("classes").forEach(n -> classes.add(n.asText()));
        } else {
            section = TrainConfig.loadModel(network.config);
            config = new ObjectMapper(new YAMLFactory()).readTree(network.config.toFile());
        }
        TorchStateDict.importCheckpoint(safetensors, section, config, classes, out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%s: %s model checkpoint from %s (%,d parameters)%n", out, section.kind(), safetensors,
                section.build().parameters().parameterCount());
        o.flush();
        return 0;
    }
}
