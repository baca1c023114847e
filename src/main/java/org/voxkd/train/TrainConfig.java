package org.voxkd.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/**
 * One training run, as written in experiments/*.yaml (snake_case keys). Unknown keys and bad values are
 * errors that name the file and line. Every field has the spec's default, so a file states only what
 * differs; the resolved configuration (all fields) is what the ledger hashes.
 */
public record TrainConfig(String experiment, Long seed, Model model, TeacherRef teacher, Loss loss, Optim optim, Data data,
                          Eval eval, String backend, String device) {

    /** The network: {@code kind} student or teacher, with the sizes of that kind (others ignored). */
    public record Model(String kind, Integer mels, Integer hidden, Integer blocks, Integer expansion, Integer groups,
                        Integer embedding, Float dropout, Integer channels, Integer latent, Integer lstmHidden,
                        Integer lstmLayers, Float encoderDropout, Float lstmDropout) {
        /** The network of a resolved model section. */
        public SpeakerModel build() {
            return kind.equals("teacher")
                    ? new Teacher(new TeacherConfig(mels, channels, latent, lstmHidden, lstmLayers, embedding, encoderDropout, lstmDropout))
                    : new Student(new StudentConfig(mels, hidden, blocks, expansion, groups, embedding, dropout));
        }
    }

    /** A frozen teacher for distillation: its checkpoint file. */
    public record TeacherRef(String checkpoint) {}

    /** Classification margin loss and distillation. */
    public record Loss(String classifier, Float margin, Float scale, String distillation, Float alpha, Float tau) {}

    /** {@code precision}: fp32 (default) or bf16 GEMM operands with fp32 accumulation ({@link org.voxkd.engine.Precision}). */
    public record Optim(Float lr, Float weightDecay, Float lrDecay, Integer batch, Integer accumulate, Integer epochs, String precision) {}

    /** Lists are relative to the config file's directory unless absolute; roots likewise. */
    public record Data(String trainList, String trainRoot, String trials, String trialRoot, Integer maxFrames,
                       Integer perSpeaker, Integer workers, @JsonProperty("augment") Boolean augment) {}

    /** Validation: every {@code interval} epochs, {@code crops} crops of {@code frames} (0 crops: whole utterances). */
    public record Eval(Integer interval, Integer crops, Integer frames, Integer patience) {}

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** Reads a YAML file; errors name the file, the line and the offending key. */
    public static TrainConfig load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such configuration file");
        try {
            return YAML.readValue(file.toFile(), TrainConfig.class).resolve(file);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IOException(file + (at != null ? ":" + at.getLineNr() : "") + ": " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses YAML text, for programs that build a configuration rather than read one (benchmarks, tests).
     * Relative paths resolve against the working directory; nothing here reads the files they name.
     */
    public static TrainConfig parse(String yaml) throws IOException {
        Path here = Path.of("inline.yaml");
        try {
            return fromTree(YAML.readTree(yaml), here);
        } catch (IllegalArgumentException e) {
            throw new IOException("inline configuration: " + e.getMessage(), e);
        }
    }

    /** Reads a YAML tree (profiles overlay trees before this). */
    public static TrainConfig fromTree(JsonNode tree, Path base) throws IOException {
        try {
            return YAML.treeToValue(tree, TrainConfig.class).resolve(base);
        } catch (JsonProcessingException e) {
            throw new IOException(base + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Fills every default and checks every value; paths become absolute relative to {@code source}'s directory. */
    TrainConfig resolve(Path source) {
        Path dir = source.toAbsolutePath().getParent();
        List<String> errors = new ArrayList<>();
        Model m = model == null ? new Model(null, null, null, null, null, null, null, null, null, null, null, null, null, null) : model;
        String kind = or(m.kind(), "student");
        if (!kind.equals("student") && !kind.equals("teacher")) errors.add("model.kind must be student or teacher, got " + kind);
        boolean isTeacher = kind.equals("teacher");
        Model rm = new Model(kind, or(m.mels(), 80), or(m.hidden(), 192), or(m.blocks(), 6), or(m.expansion(), 3), or(m.groups(), 4),
                or(m.embedding(), 512), or(m.dropout(), 0.1f), or(m.channels(), 256), or(m.latent(), 128), or(m.lstmHidden(), 256),
                or(m.lstmLayers(), 2), or(m.encoderDropout(), 0.2f), or(m.lstmDropout(), 0.3f));
        Loss l = loss == null ? new Loss(null, null, null, null, null, null) : loss;
        Loss rl = new Loss(or(l.classifier(), "aam"), or(l.margin(), 0.2f), or(l.scale(), 30f), or(l.distillation(), "none"),
                or(l.alpha(), 0f), or(l.tau(), 4f));
        if (!List.of("aam", "am").contains(rl.classifier())) errors.add("loss.classifier must be aam or am, got " + rl.classifier());
        if (!List.of("none", "cosine", "mse", "kl").contains(rl.distillation()))
            errors.add("loss.distillation must be none, cosine, mse or kl, got " + rl.distillation());
        if (!(rl.alpha() >= 0 && rl.alpha() <= 1)) errors.add("loss.alpha must be in [0, 1], got " + rl.alpha());
        if (!(rl.tau() > 0)) errors.add("loss.tau must be positive, got " + rl.tau());
        boolean kd = !rl.distillation().equals("none") && rl.alpha() > 0;
        if (kd && (teacher == null || teacher.checkpoint() == null))
            errors.add("loss.distillation " + rl.distillation() + " with alpha " + rl.alpha() + " needs teacher.checkpoint");
        Optim o = optim == null ? new Optim(null, null, null, null, null, null, null) : optim;
        Optim ro = new Optim(or(o.lr(), isTeacher ? 5e-4f : 1e-3f), or(o.weightDecay(), isTeacher ? 1e-4f : 0f),
                or(o.lrDecay(), isTeacher ? 0.98f : 0.95f), or(o.batch(), isTeacher ? 32 : 64), or(o.accumulate(), isTeacher ? 2 : 1),
                or(o.epochs(), 100), or(o.precision(), "fp32"));
        if (!List.of("fp32", "bf16").contains(ro.precision())) errors.add("optim.precision must be fp32 or bf16, got " + ro.precision());
        if (ro.batch() < 2) errors.add("optim.batch must be at least 2 (BatchNorm needs two samples), got " + ro.batch());
        if (ro.accumulate() < 1) errors.add("optim.accumulate must be at least 1");
        if (ro.epochs() < 1) errors.add("optim.epochs must be at least 1");
        Data d = data == null ? new Data(null, null, null, null, null, null, null, null) : data;
        if (d.trainList() == null) errors.add("data.train_list is required");
        Data rd = new Data(abs(dir, d.trainList()), abs(dir, or(d.trainRoot(), ".")), abs(dir, d.trials()), abs(dir, or(d.trialRoot(), or(d.trainRoot(), "."))),
                or(d.maxFrames(), 200), or(d.perSpeaker(), 0), or(d.workers(), 2), or(d.augment(), false));
        Eval e = eval == null ? new Eval(null, null, null, null) : eval;
        Eval re = new Eval(or(e.interval(), 1), or(e.crops(), 10), or(e.frames(), 200), or(e.patience(), 0));
        if (!errors.isEmpty()) throw new IllegalArgumentException(String.join("; ", errors));
        return new TrainConfig(or(experiment, source.getFileName().toString().replaceFirst("\\.ya?ml$", "")), or(seed, 1L), rm,
                teacher == null ? null : new TeacherRef(abs(dir, teacher.checkpoint())), rl, ro, rd, re, or(backend, "cpu"), device);
    }

    /** The same configuration on another backend and device (command-line overrides). */
    public TrainConfig onBackend(String backendName, String deviceSelector) {
        return new TrainConfig(experiment, seed, model, teacher, loss, optim, data, eval, backendName == null ? backend : backendName,
                deviceSelector == null ? device : deviceSelector);
    }

    public boolean distills() { return !loss.distillation().equals("none") && loss.alpha() > 0; }

    /** The network this configuration trains. */
    public SpeakerModel buildModel() { return model.build(); }

    /** The resolved configuration as a JSON tree (what checkpoints and the ledger store). */
    public ObjectNode toTree() {
        return YAML.valueToTree(this);
    }

    private static <T> T or(T v, T d) { return v == null ? d : v; }

    private static String abs(Path dir, String p) {
        if (p == null) return null;
        Path q = Path.of(p);
        return (q.isAbsolute() ? q : dir.resolve(q)).normalize().toString();
    }
}
