package org.voxkd.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.voxkd.engine.ParameterSet;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;
import org.voxkd.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd params`: per-layer and total parameter counts of a model. */
@Command(name = "params", mixinStandardHelpOptions = true, description = "Print per-layer and total parameter counts.")
public final class ParamsCommand implements Runnable {
    @Option(names = "--model", description = "v2 (H192 N6 E3 G4), large (H256 N8 E4 G4) or teacher (default: ${DEFAULT-VALUE}).", defaultValue = "v2")
    String model;
    @Option(names = "--config", description = "Count the model of a training configuration instead.")
    Path config;
    @Option(names = "--tensors", description = "List every tensor, not only layers.")
    boolean tensors;

    @Override public void run() {
        SpeakerModel m;
        try {
            m = config != null ? TrainConfig.load(config).buildModel() : switch (model) {
                case "v2", "v1" -> new Student(StudentConfig.v2());
                case "large" -> new Student(StudentConfig.large());
                case "teacher" -> new Teacher(TeacherConfig.standard());
                default -> throw new IllegalArgumentException("unknown --model " + model + "; choose v2, large or teacher");
            };
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        ParameterSet ps = m.parameters();
        Map<String, long[]> layers = new LinkedHashMap<>();
        for (ParameterSet.Entry e : ps.entries()) {
            if (!e.trainable()) continue;
            if (tensors) System.out.printf("  %-36s %-16s %,12d%n", e.name(), e.shapeString(), e.size());
            String layer = e.name().substring(0, e.name().lastIndexOf('.'));
            layers.computeIfAbsent(layer, k -> new long[1])[0] += e.size();
        }
        System.out.printf("%-30s %14s%n", m.kind() + " layer", "parameters");
        layers.forEach((k, v) -> System.out.printf("%-30s %,14d%n", k, v[0]));
        System.out.printf("%-30s %,14d%n", "total", ps.parameterCount());
        if (m instanceof Teacher t) System.out.printf("%-30s %,14d%n", "total without decoder", t.parameterCountWithoutDecoder());
        System.out.printf("%-30s %,14d%n", "buffers (running statistics)", ps.stateCount());
    }
}
