package org.voxkd.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.voxkd.audio.Augment;
import org.voxkd.io.ConfigDoc;
import org.voxkd.engine.Numerics;
import org.voxkd.distill.DistillSpec;
import org.voxkd.distill.LossSpec;
import org.voxkd.distill.Terms;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/**
 * One training run, as written in experiments/*.yaml (snake_case keys). Duplicate and unknown keys, values of
 * the wrong type (a float for an integer, a string for a number, a key without a value) and values out of range
 * are errors that name the file and line of the key — where a profile wrote it, for a value a profile overlays. Every field has the spec's default, so a file states only what
 * differs; the resolved configuration (all fields) is what the ledger hashes. {@code numerics} is {@code fast} (default)
 * or {@code portable}: the cpu backend's numerics mode ({@link Numerics}), which {@link Trainer} activates for the run.
 */
public record TrainConfig(String experiment, Long seed, Model model, TeacherRef teacher, List<TeacherRef> teachers, LossSpec loss,
                          DistillSpec distill, Optim optim, Data data, Eval eval, String backend, String device, String numerics) {

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

    /**
     * A frozen teacher for distillation: its checkpoint file. Several teachers ({@code teachers: [{checkpoint: A},
     * {checkpoint: B}]}) combine by {@code distill.combine}; any model checkpoint can teach (a student's: self-distillation).
     */
    public record TeacherRef(String checkpoint) {}

    /**
     * {@code clip_norm}: clip the global gradient norm (model, classifier and adapters together) to this value; 0 = no clipping.
     * {@code precision}: fp32 (default) or bf16 GEMM operands with fp32 accumulation ({@link org.voxkd.engine.Precision}).
     */
    public record Optim(Float lr, Float weightDecay, Float lrDecay, Integer batch, Integer accumulate, Integer epochs, Float clipNorm, String precision) {}

    /**
     * Lists are relative to the config file's directory unless absolute; roots likewise. Two trial lists of
     * disjoint speakers: {@code val_trials} selects (best epoch, early stopping, the stored threshold) and
     * {@code test_trials} reports, scored once after training. When only one is given it serves both, and
     * every figure made from it says so ({@link #sameList}). {@code subset_seed} picks the utterances kept by
     * {@code per_speaker}: fixed across training seeds, so every seed trains on the same data.
     * {@code augment: true} mixes MUSAN-style noise/speech/music ({@code musan}: a folder with noise/, speech/,
     * music/) and convolves with room impulse responses ({@code rirs}) as voxceleb_trainer does, then applies
     * SpecAugment masks ({@code spec_augment}); the three are used, and recorded, only when augment is true.
     */
    public record Data(String trainList, String trainRoot, String valTrials, String testTrials, String trialRoot, Integer maxFrames,
                       Integer perSpeaker, Long subsetSeed, Integer workers, @JsonProperty("augment") Boolean augment, String musan, String rirs,
                       SpecAugment specAugment) {
        /** The list that selects, or null without validation. */
        public String selectionList() { return valTrials != null ? valTrials : testTrials; }

        /** The list that reports, or null without a test. */
        public String reportList() { return testTrials != null ? testTrials : valTrials; }

        /** Whether selection and reporting use the same list (only one was given). */
        public boolean sameList() { return selectionList() != null && selectionList().equals(reportList()); }

        /** The augmentation of a resolved data section, or null when augment is false. */
        public Augment.Config augmentation() {
            if (!augment) return null;
            return Augment.Config.waveform(Path.of(musan), Path.of(rirs))
                    .withSpecAugment(specAugment.timeMasks(), specAugment.timeWidth(), specAugment.freqMasks(), specAugment.freqWidth());
        }
    }

    /**
     * SpecAugment on the normalised features: {@code time_masks} masks of 0..{@code time_width} frames and
     * {@code freq_masks} masks of 0..{@code freq_width} mel bins (defaults 1 × 10 frames, 1 × 8 bins, as WeSpeaker's recipe).
     */
    public record SpecAugment(Integer timeMasks, Integer timeWidth, Integer freqMasks, Integer freqWidth) {}

    /** Validation: every {@code interval} epochs, {@code crops} crops of {@code frames} (0 crops: whole utterances). */
    public record Eval(Integer interval, Integer crops, Integer frames, Integer patience) {}

    /**
     * The configuration mapper: snake_case, and binding is strict — no float for an integer, no string for a number or a
     * boolean, no number for a string or a boolean; distillation terms parse their own sections with it.
     */
    public static final ObjectMapper YAML = strictMapper();

    private static ObjectMapper strictMapper() {
        ObjectMapper m = YAMLMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean, LogicalType.Textual})
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return m;
    }

    /** Reads a YAML file; errors name the file, the line and the offending key. */
    public static TrainConfig load(Path file) throws IOException {
        return fromDoc(ConfigDoc.read(file), file);
    }

    /**
     * Parses YAML text, for programs that build a configuration rather than read one (benchmarks, tests).
     * Relative paths resolve against the working directory; nothing here reads the files they name.
     */
    public static TrainConfig parse(String yaml) throws IOException {
        return fromDoc(ConfigDoc.parse(yaml, "inline configuration"), Path.of("inline.yaml"));
    }

    /** Reads a tree without line information (a resolved configuration from a ledger record). */
    public static TrainConfig fromTree(JsonNode tree, Path base) throws IOException {
        if (!(tree instanceof ObjectNode o)) throw new IOException(base + ": a configuration is a mapping");
        return fromDoc(ConfigDoc.of(o, base.toString()), base);
    }

    /**
     * Binds and checks a configuration tree (profiles overlay trees before this); every problem is reported at the
     * file and line its key was written ({@code base} resolves relative paths).
     */
    public static TrainConfig fromDoc(ConfigDoc doc, Path base) throws IOException {
        List<String> nulls = new ArrayList<>();
        findNulls(doc, doc.tree(), "", nulls);
        if (!nulls.isEmpty()) throw new IOException(String.join("; ", nulls));
        TrainConfig raw;
        try {
            raw = YAML.treeToValue(doc.tree(), TrainConfig.class);
        } catch (JsonMappingException e) {
            throw new IOException(bindingProblem(doc, e, ""), e);
        } catch (JsonProcessingException e) {
            throw new IOException(doc.origin() + ": " + e.getOriginalMessage(), e);
        }
        return raw.resolve(base, doc);
    }

    /** A key written with no value: say so rather than silently using the default. */
    private static void findNulls(ConfigDoc doc, JsonNode node, String ptr, List<String> out) {
        if (node.isNull() && doc.located(ptr)) out.add(doc.where(ptr) + ": " + ConfigDoc.dotted(ptr) + " has no value (give one, or remove the key for the default)");
        if (node.isContainerNode()) {
            int i = 0;
            for (var it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                findNulls(doc, e.getValue(), ConfigDoc.child(ptr, e.getKey()), out);
            }
            if (node.isArray()) for (JsonNode v : node) findNulls(doc, v, ptr + "/" + i++, out);
        }
    }

    /** The model section of a checkpoint header, bound as strictly as a configuration; problems name {@code source}. */
    static Model model(JsonNode section, String source) throws IOException {
        ObjectNode root = YAML.createObjectNode();
        root.set("model", section);
        try {
            return YAML.treeToValue(section, Model.class);
        } catch (JsonMappingException e) {
            throw new IOException(bindingProblem(ConfigDoc.of(root, source), e, "/model"), e);
        } catch (JsonProcessingException e) {
            throw new IOException(source + ": " + e.getOriginalMessage(), e);
        }
    }

    /** A binding error as "file:line: key: what was expected, what was found" ({@code prefix}: where the bound tree sits). */
    private static String bindingProblem(ConfigDoc doc, JsonMappingException e, String prefix) {
        List<Object> path = new ArrayList<>();
        for (JsonMappingException.Reference r : e.getPath()) path.add(r.getFieldName() != null ? r.getFieldName() : (Object) r.getIndex());
        String ptr = prefix + ConfigDoc.pointer(path), key = ConfigDoc.dotted(ptr);
        String what;
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = u.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            what = "unknown key " + key + " (known here: " + String.join(", ", known) + ")";
        } else if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            JsonNode found = doc.tree().at(ptr);
            what = key + " must be " + expected(m.getTargetType()) + ", got " + (found.isMissingNode() ? "something else" : describe(found));
        } else {
            what = key + ": " + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("invalid value");
        }
        return doc.where(ptr) + ": " + what;
    }

    private static String expected(Class<?> t) {
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) return "an integer";
        if (t == Float.class || t == float.class || t == Double.class) return "a number";
        if (t == Boolean.class || t == boolean.class) return "true or false";
        if (t == String.class) return "a string";
        if (t.isEnum()) {
            // A vocabulary (loss.classifier, loss.distillation, distill.combine): its words as the configuration writes them.
            List<String> words = java.util.Arrays.stream(t.getEnumConstants()).map(String::valueOf).toList();
            return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
        }
        return "a mapping (key: value)";
    }

    private static String describe(JsonNode n) {
        if (n.isTextual()) return "the string '" + n.asText() + "'";
        if (n.isObject()) return "a mapping";
        if (n.isArray()) return "a list";
        return n.toString();
    }

    /** Collects problems at keys, each rendered "file:line: message". */
    private record Problems(ConfigDoc doc, List<String> list) {
        void add(String ptr, String message) { list.add(doc.where(ptr) + ": " + message); }

        void atLeast(String ptr, int v, int min, String why) {
            if (v < min) add(ptr, ConfigDoc.dotted(ptr) + " must be at least " + min + why + ", got " + v);
        }

        void atMost(String ptr, int v, int max, String why) {
            if (v > max) add(ptr, ConfigDoc.dotted(ptr) + " must be at most " + max + why + ", got " + v);
        }

        void positive(String ptr, float v) {
            if (!(Float.isFinite(v) && v > 0)) add(ptr, ConfigDoc.dotted(ptr) + " must be a positive number, got " + v);
        }

        void nonNegative(String ptr, float v) {
            if (!(Float.isFinite(v) && v >= 0)) add(ptr, ConfigDoc.dotted(ptr) + " must be a non-negative number, got " + v);
        }

        /** lo ≤ v ≤ hi, or lo ≤ v < hi when {@code hiOpen}. */
        void within(String ptr, float v, float lo, float hi, boolean hiOpen) {
            if (!(v >= lo && (hiOpen ? v < hi : v <= hi)))
                add(ptr, ConfigDoc.dotted(ptr) + " must be in [" + lo + ", " + hi + (hiOpen ? ")" : "]") + ", got " + v);
        }
    }

    /** A model section with every default filled and every size checked (problems at the keys' lines). */
    private static Model resolveModel(Model model, Problems pr) {
        Model m = model == null ? new Model(null, null, null, null, null, null, null, null, null, null, null, null, null, null) : model;
        String kind = or(m.kind(), "student");
        if (!kind.equals("student") && !kind.equals("teacher")) pr.add("/model/kind", "model.kind must be student or teacher, got " + kind);
        boolean isTeacher = kind.equals("teacher");
        Model rm = new Model(kind, or(m.mels(), 80), or(m.hidden(), 192), or(m.blocks(), 6), or(m.expansion(), 3), or(m.groups(), 4),
                or(m.embedding(), 512), or(m.dropout(), 0.1f), or(m.channels(), 256), or(m.latent(), 128), or(m.lstmHidden(), 256),
                or(m.lstmLayers(), 2), or(m.encoderDropout(), 0.2f), or(m.lstmDropout(), 0.3f));
        pr.atLeast("/model/mels", rm.mels(), 1, "");
        pr.atLeast("/model/embedding", rm.embedding(), 1, "");
        if (isTeacher) {
            pr.atLeast("/model/channels", rm.channels(), 1, "");
            pr.atLeast("/model/latent", rm.latent(), 1, "");
            pr.atLeast("/model/lstm_hidden", rm.lstmHidden(), 1, "");
            pr.atLeast("/model/lstm_layers", rm.lstmLayers(), 1, "");
            pr.within("/model/encoder_dropout", rm.encoderDropout(), 0, 1, true);
            pr.within("/model/lstm_dropout", rm.lstmDropout(), 0, 1, true);
        } else {
            pr.atLeast("/model/hidden", rm.hidden(), 1, "");
            pr.atLeast("/model/blocks", rm.blocks(), 1, "");
            pr.atLeast("/model/expansion", rm.expansion(), 1, "");
            pr.atLeast("/model/groups", rm.groups(), 1, "");
            if (rm.hidden() >= 1 && rm.groups() >= 1 && rm.hidden() % rm.groups() != 0)
                pr.add("/model/groups", "model.hidden " + rm.hidden() + " must be divisible by model.groups " + rm.groups());
            pr.within("/model/dropout", rm.dropout(), 0, 1, true);
        }
        return rm;
    }

    /**
     * The resolved model section of a YAML file that has one (an experiment file, or a file with only {@code model:}):
     * for tools that need a network but no training data (`voxkd import --config`). Errors name the file and line.
     */
    public static Model loadModel(Path file) throws IOException {
        ConfigDoc doc = ConfigDoc.read(file);
        JsonNode section = doc.tree().get("model");
        if (section == null || !section.isObject()) throw new IOException(file + ": no model section");
        Problems pr = new Problems(doc, new ArrayList<>());
        Model m = resolveModel(model(section, file.toString()), pr);
        if (!pr.list().isEmpty()) throw new IOException(String.join("; ", pr.list()));
        return m;
    }

    /** Fills every default and checks every value; paths become absolute relative to {@code source}'s directory. */
    TrainConfig resolve(Path source, ConfigDoc doc) throws IOException {
        Path dir = source.toAbsolutePath().getParent();
        Problems pr = new Problems(doc, new ArrayList<>());
        Model rm = resolveModel(model, pr);
        boolean isTeacher = rm.kind().equals("teacher");
        LossSpec l = loss == null ? new LossSpec(null, null, null, null, null, null) : loss;
        LossSpec rl = new LossSpec(or(l.classifier(), LossSpec.Classifier.AAM), or(l.margin(), 0.2f), or(l.scale(), 30f),
                or(l.distillation(), LossSpec.Distillation.NONE), or(l.alpha(), 0f), or(l.tau(), 4f));
        pr.nonNegative("/loss/margin", rl.margin());
        pr.positive("/loss/scale", rl.scale());
        pr.within("/loss/alpha", rl.alpha(), 0, 1, false);
        pr.positive("/loss/tau", rl.tau());
        if (teacher != null && teachers != null) pr.add("/teachers", "give either teacher or teachers, not both");
        List<TeacherRef> refs = teacher != null ? List.of(teacher) : teachers == null ? List.of() : teachers;
        for (TeacherRef t : refs) if (t == null || t.checkpoint() == null) pr.add(teacher != null ? "/teacher" : "/teachers", "every teacher needs a checkpoint");
        Optim o = optim == null ? new Optim(null, null, null, null, null, null, null, null) : optim;
        Optim ro = new Optim(or(o.lr(), isTeacher ? 5e-4f : 1e-3f), or(o.weightDecay(), isTeacher ? 1e-4f : 0f),
                or(o.lrDecay(), isTeacher ? 0.98f : 0.95f), or(o.batch(), isTeacher ? 32 : 64), or(o.accumulate(), isTeacher ? 2 : 1),
                or(o.epochs(), 100), or(o.clipNorm(), 0f), or(o.precision(), "fp32"));
        pr.positive("/optim/lr", ro.lr());
        pr.nonNegative("/optim/weight_decay", ro.weightDecay());
        if (!(ro.lrDecay() > 0 && ro.lrDecay() <= 1)) pr.add("/optim/lr_decay", "optim.lr_decay must be in (0, 1], got " + ro.lrDecay());
        pr.atLeast("/optim/batch", ro.batch(), 2, " (BatchNorm needs two samples)");
        pr.atLeast("/optim/accumulate", ro.accumulate(), 1, "");
        pr.atLeast("/optim/epochs", ro.epochs(), 1, "");
        pr.atMost("/optim/epochs", ro.epochs(), MAX_EPOCHS, " (epochs index the random streams)");
        pr.nonNegative("/optim/clip_norm", ro.clipNorm());
        if (!List.of("fp32", "bf16").contains(ro.precision())) pr.add("/optim/precision", "optim.precision must be fp32 or bf16, got " + ro.precision());
        List<String> distillProblems = new ArrayList<>();
        DistillSpec rds = DistillSpec.resolve(distill, refs.size(), YAML, new Terms.Defaults(rl.scale(), rl.tau()), distillProblems);
        distillProblems.forEach(e -> pr.add("/distill", e));
        if (rds.alphaSchedule() != null && distillProblems.isEmpty()) {
            // A resolved configuration carries the schedule's mean as loss.alpha (what α columns show): accept it back.
            float mean = (float) rds.alphaSchedule().mean(ro.epochs());
            if (l.alpha() != null && l.alpha() != mean) pr.add("/loss/alpha", "give either loss.alpha or distill.alpha_schedule, not both");
            rl = new LossSpec(rl.classifier(), rl.margin(), rl.scale(), rl.distillation(), mean, rl.tau());
        }
        boolean finalKd = rl.finalKd(rds);
        if (pr.list().isEmpty())
            for (int ep = 0; ep < ro.epochs(); ep++) {
                double a = finalKd ? (rds.alphaSchedule() != null ? rds.alphaSchedule().alpha(ep, ro.epochs()) : rl.alpha()) : 0;
                if (a + rds.termWeight() > 1 + 1e-6) {
                    pr.add("/distill", String.format(java.util.Locale.ROOT, "the distillation weights sum to %.3f at epoch %d (α %.3f + terms %.3f): at most 1, "
                            + "the rest weighs the classification loss", a + rds.termWeight(), ep + 1, a, rds.termWeight()));
                    break;
                }
            }
        boolean kd = finalKd || rds.termWeight() > 0;
        if (kd && refs.isEmpty())
            pr.add("/loss/distillation", "distillation (loss.distillation " + rl.distillation() + ", alpha " + rl.alpha() + ", terms " + rds.terms().keySet()
                    + ") needs teacher.checkpoint");
        if (refs.size() > 1 && !finalKd) pr.add("/teachers", "several teachers combine into the final-embedding target: set loss.distillation and alpha");
        Data d = data == null ? new Data(null, null, null, null, null, null, null, null, null, null, null, null, null) : data;
        if (d.trainList() == null) pr.add("/data", "data.train_list is required");
        String[][] paths = {{"/data/train_list", d.trainList()}, {"/data/train_root", d.trainRoot()}, {"/data/val_trials", d.valTrials()},
                {"/data/test_trials", d.testTrials()}, {"/data/trial_root", d.trialRoot()}, {"/data/musan", d.musan()}, {"/data/rirs", d.rirs()},
                {"/teacher/checkpoint", teacher == null ? null : teacher.checkpoint()}};
        for (String[] p : paths) if (p[1] != null && p[1].isBlank()) pr.add(p[0], ConfigDoc.dotted(p[0]) + " is empty (a path is expected)");
        boolean augment = or(d.augment(), false);
        SpecAugment sa = d.specAugment() == null ? new SpecAugment(null, null, null, null) : d.specAugment();
        SpecAugment rsa = augment ? new SpecAugment(or(sa.timeMasks(), 1), or(sa.timeWidth(), 10), or(sa.freqMasks(), 1), or(sa.freqWidth(), 8)) : null;
        Data rd = new Data(abs(dir, d.trainList()), abs(dir, or(d.trainRoot(), ".")), abs(dir, d.valTrials()), abs(dir, d.testTrials()),
                abs(dir, or(d.trialRoot(), or(d.trainRoot(), "."))), or(d.maxFrames(), 200), or(d.perSpeaker(), 0), or(d.subsetSeed(), 1L),
                or(d.workers(), 2), augment, augment ? abs(dir, d.musan()) : null, augment ? abs(dir, d.rirs()) : null, rsa);
        pr.atLeast("/data/max_frames", rd.maxFrames(), 1, "");
        pr.atLeast("/data/per_speaker", rd.perSpeaker(), 0, " (0: every utterance)");
        pr.atLeast("/data/workers", rd.workers(), 0, "");
        if (augment) {
            if (rd.musan() == null || rd.rirs() == null)
                pr.add("/data/augment", "data.augment: true needs data.musan (a folder with noise/, speech/, music/) and data.rirs (room impulse responses)"
                        + (rd.musan() == null ? "; data.musan is missing" : "") + (rd.rirs() == null ? "; data.rirs is missing" : ""));
            pr.atLeast("/data/spec_augment/time_masks", rsa.timeMasks(), 0, "");
            pr.atLeast("/data/spec_augment/freq_masks", rsa.freqMasks(), 0, "");
            pr.atLeast("/data/spec_augment/time_width", rsa.timeWidth(), 0, "");
            pr.atMost("/data/spec_augment/time_width", rsa.timeWidth(), rd.maxFrames(), " (data.max_frames)");
            pr.atLeast("/data/spec_augment/freq_width", rsa.freqWidth(), 0, "");
            pr.atMost("/data/spec_augment/freq_width", rsa.freqWidth(), rm.mels(), " (model.mels)");
        }
        Eval e = eval == null ? new Eval(null, null, null, null) : eval;
        Eval re = new Eval(or(e.interval(), 1), or(e.crops(), 10), or(e.frames(), 200), or(e.patience(), 0));
        pr.atLeast("/eval/interval", re.interval(), 1, "");
        pr.atLeast("/eval/crops", re.crops(), 0, " (0: whole utterances)");
        pr.atLeast("/eval/frames", re.frames(), 1, "");
        pr.atLeast("/eval/patience", re.patience(), 0, " (0: no early stopping)");
        String be = or(backend, "cpu");
        if (!be.equals("cpu") && !be.equals("opencl")) pr.add("/backend", "backend must be cpu or opencl, got " + be);
        String rn = or(numerics, Numerics.FAST.id());
        try {
            rn = Numerics.parse(rn).id();
        } catch (IllegalArgumentException x) {
            pr.add("/numerics", x.getMessage());
        }
        if (rn.equals("portable") && ro.precision().equals("bf16"))
            pr.add("/optim/precision", "optim.precision bf16 is a fast-numerics mode: portable numerics compute in fp32 (set numerics: fast, or precision: fp32)");
        if (!pr.list().isEmpty()) throw new IOException(String.join("; ", pr.list()));
        return new TrainConfig(or(experiment, source.getFileName().toString().replaceFirst("\\.ya?ml$", "")), or(seed, 1L), rm,
                teacher == null ? null : new TeacherRef(abs(dir, teacher.checkpoint())),
                teachers == null ? null : teachers.stream().map(t -> new TeacherRef(abs(dir, t.checkpoint()))).toList(), rl, rds, ro, rd, re, be, device, rn);
    }

    /** Epochs are a 16-bit index of the random streams (order, crops, augmentation). */
    static final int MAX_EPOCHS = (1 << 16) - 1;

    /** The same configuration on another backend and device (command-line overrides). */
    public TrainConfig onBackend(String backendName, String deviceSelector) {
        return new TrainConfig(experiment, seed, model, teacher, teachers, loss, distill, optim, data, eval, backendName == null ? backend : backendName,
                deviceSelector == null ? device : deviceSelector, numerics);
    }

    /** The same configuration in another numerics mode ({@code fast} or {@code portable}; null keeps this one's). */
    public TrainConfig onNumerics(String mode) {
        return mode == null ? this : new TrainConfig(experiment, seed, model, teacher, teachers, loss, distill, optim, data, eval, backend, device,
                Numerics.parse(mode).id());
    }

    /** The numerics mode of this (resolved) configuration. */
    public Numerics numericsMode() { return Numerics.parse(numerics); }

    /** Whether the run learns from a teacher: the final-embedding term (α > 0) or any distillation term. */
    public boolean distills() { return finalKd() || distill.termWeight() > 0; }

    /** Whether the final-embedding distillation term ({@code loss.distillation}) is on. */
    public boolean finalKd() { return loss.finalKd(distill); }

    /** The teachers, in order (one for {@code teacher:}, none without). */
    public List<TeacherRef> teacherRefs() { return teacher != null ? List.of(teacher) : teachers == null ? List.of() : teachers; }

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
