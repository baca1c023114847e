package org.voxkd.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.IntConsumer;
import org.voxkd.audio.FrontEnd;
import org.voxkd.data.EvalLoader;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.eval.CropEmbedder;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.UtteranceEmbeddings;
import org.voxkd.export.OrtModel;
import org.voxkd.train.ModelFiles;

/**
 * A speaker model ready to embed recordings and verify pairs: a voxkd checkpoint (run on the cpu or opencl backend) or an
 * ONNX export (run by ONNX Runtime).
 *
 * <pre>{@code
 * try (Verifier v = Verifier.load(Path.of("best.ckpt"))) {
 *     Decision d = v.verify(v.embed(Path.of("a.wav")), v.embed(Path.of("b.wav")));
 * }
 * }</pre>
 *
 * <p><b>Thread-safe.</b> Any number of threads may call one Verifier: audio decoding and features run in the caller's
 * thread, the network one call at a time (its recorded graphs and device buffers are shared), so threads overlap the
 * front-end with inference. Close it once, after every call has returned.
 *
 * <p>Inputs are 16 kHz mono audio: a WAV file (PCM 16/24/32-bit or float, other rates refused), or samples in [−1, 1].
 * Non-finite samples or features are refused with an error naming the input, never embedded.
 */
public final class Verifier implements AutoCloseable {
    /**
     * How a Verifier embeds: {@code crops} evenly spaced crops of {@code frames} frames per recording (0 crops: the whole
     * recording), the {@code backend} ("cpu" or "opencl") and {@code device} of a checkpoint, the ONNX Runtime threads of an
     * export. Defaults: 10 crops of 200 frames on cpu, as {@code voxkd eval}.
     */
    public record Options(int crops, int frames, String backend, String device, int onnxThreads) {
        public Options {
            if (crops < 0) throw new IllegalArgumentException("crops must be 0 (whole recordings) or more, got " + crops);
            if (crops > 0 && frames < 1) throw new IllegalArgumentException("frames must be positive, got " + frames);
            if (onnxThreads < 1) throw new IllegalArgumentException("onnxThreads must be at least 1, got " + onnxThreads);
        }

        public static Options defaults() { return new Options(10, 200, "cpu", null, 1); }

        public Options crops(int crops, int frames) { return new Options(crops, frames, backend, device, onnxThreads); }

        public Options backend(String backend, String device) { return new Options(crops, frames, backend, device, onnxThreads); }

        public Options onnxThreads(int threads) { return new Options(crops, frames, backend, device, threads); }

        /** "10 crops of 200 frames" or "whole recordings". */
        public String describe() {
            return crops == 0 ? "whole utterances" : crops + " crop" + (crops == 1 ? "" : "s") + " of " + frames + " frames";
        }
    }

    private final Path source;
    private final Options options;
    private final CropEmbedder network;
    private final AutoCloseable[] resources;
    private final Double storedThreshold;
    private final int mels, dimension;
    private final String description;
    private final ThreadLocal<EvalLoader> loaders;

    private Verifier(Path source, Options options, CropEmbedder network, Double storedThreshold, int mels, int dimension, String description,
                     AutoCloseable... resources) {
        this.source = source;
        this.options = options;
        this.network = network;
        this.storedThreshold = storedThreshold;
        this.mels = mels;
        this.dimension = dimension;
        this.description = description;
        this.resources = resources;
        this.loaders = ThreadLocal.withInitial(() -> options.crops() == 0 ? EvalLoader.wholeUtterance(Path.of("")) : new EvalLoader(Path.of(""), options.frames(), options.crops()));
    }

    /** Loads a checkpoint or an ONNX export ({@code .onnx}) with the default options. */
    public static Verifier load(Path model) throws IOException {
        return load(model, Options.defaults());
    }

    /** Loads a checkpoint or an ONNX export (by its {@code .onnx} extension). */
    public static Verifier load(Path model, Options options) throws IOException {
        if (!Files.isRegularFile(model)) throw new java.nio.file.NoSuchFileException(model.toString(), null, "model file not found");
        if (model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            OrtModel ort;
            try {
                ort = new OrtModel(model, options.onnxThreads());
            } catch (ai.onnxruntime.OrtException e) {
                throw new IOException(model + ": ONNX Runtime cannot load it (" + e.getMessage() + ")", e);
            }
            try {
                var meta = ort.metadata();
                String t = meta.get("provenance.eer_threshold");
                Double stored = t == null ? null : Double.valueOf(t);
                // the embedding size from the export's model section, else from one probe crop
                String section = meta.get("voxkd.model");
                int d = section == null ? 0 : new com.fasterxml.jackson.databind.ObjectMapper().readTree(section).path("embedding").asInt(0);
                if (d <= 0) d = ort.embed(List.of(new float[ort.mels() * 200]))[0].length;
                return new Verifier(model, options, ort, stored, ort.mels(), d, "ONNX " + meta.getOrDefault("voxkd.variant", "model") + " (ONNX Runtime)", ort);
            } catch (ai.onnxruntime.OrtException | IOException | RuntimeException e) {
                ort.close();
                throw new IOException(model + ": not a voxkd ONNX export (" + e.getMessage() + ")", e);
            }
        }
        ModelFiles.Loaded m = ModelFiles.load(model);
        Backend b = Backends.create(options.backend(), options.device());
        Embedder e = new Embedder(m.model(), b, m.weights()[0], m.weights()[1]);
        return new Verifier(model, options, e, m.threshold(), m.model().mels(), m.model().embeddingSize(), m.model().kind() + " checkpoint, backend " + b.name(), e, b);
    }

    /** The model file this Verifier runs. */
    public Path source() { return source; }

    public Options options() { return options; }

    /** Values per embedding. */
    public int dimension() { return dimension; }

    /** What runs the model, in words ("student checkpoint, backend cpu", "ONNX fp32 (ONNX Runtime)"). */
    public String description() { return description; }

    /** The threshold stored with the model (the validation EER threshold of the run that made it), if any. */
    public OptionalDouble storedThreshold() {
        return storedThreshold == null ? OptionalDouble.empty() : OptionalDouble.of(storedThreshold);
    }

    /** The stored threshold as a {@link Threshold}; an error saying what to do when the model stores none. */
    public Threshold threshold() {
        if (storedThreshold == null)
            throw new IllegalStateException(source + " stores no decision threshold (its provenance has no eer_threshold: it was saved without "
                    + "validation on a trial list); give one (Threshold.of, --threshold) or calibrate one (Threshold.calibrated)");
        return new Threshold(storedThreshold, "validation EER threshold stored in the " + (network instanceof OrtModel ? "ONNX model" : "checkpoint"));
    }

    /** The embedding of a 16 kHz WAV file. */
    public Embedding embed(Path wav) throws IOException {
        return fromCrops(loaders.get().features(wav.toString()), wav.toString());
    }

    /** The embedding of 16 kHz mono samples (in [−1, 1]); {@code name} names them in errors. */
    public Embedding embed(float[] samples16k, String name) {
        if (samples16k.length == 0) throw new IllegalArgumentException(name + ": no samples");
        for (int i = 0; i < samples16k.length; i++)
            if (!Float.isFinite(samples16k[i])) throw new IllegalArgumentException(name + ": sample " + i + " is " + samples16k[i]);
        return fromCrops(loaders.get().features(samples16k), name);
    }

    /** The embedding of 16 kHz mono samples. */
    public Embedding embed(float[] samples16k) {
        return embed(samples16k, "samples");
    }

    /**
     * The embedding of one log-mel feature matrix {@code [frames][mels]} (voxkd's front-end: log(power mel + 1e-6),
     * normalised per utterance — {@link FrontEnd}), embedded whole as one crop.
     */
    public Embedding embedFeatures(float[][] features) {
        if (features.length == 0) throw new IllegalArgumentException("no feature frames");
        float[] flat = new float[features.length * mels];
        for (int t = 0; t < features.length; t++) {
            if (features[t].length != mels) throw new IllegalArgumentException("frame " + t + " has " + features[t].length + " values; the model takes " + mels + " mel bins");
            for (int m = 0; m < mels; m++) {
                if (!Float.isFinite(features[t][m])) throw new IllegalArgumentException("feature frame " + t + ", bin " + m + " is " + features[t][m]);
                flat[t * mels + m] = features[t][m];
            }
        }
        return fromCrops(List.of(flat), "features");
    }

    /** The score of two embeddings (the mean cosine over crop pairs; {@link Embedding#score}). */
    public double score(Embedding a, Embedding b) {
        return a.score(b);
    }

    /** Same speaker? At the threshold stored with the model. */
    public Decision verify(Embedding a, Embedding b) {
        return verify(a, b, threshold());
    }

    /** Same speaker? At {@code threshold} (given, stored or calibrated). */
    public Decision verify(Embedding a, Embedding b, Threshold threshold) {
        double s = score(a, b);
        return new Decision(s, threshold, s >= threshold.value());
    }

    /**
     * The embeddings of many files ({@code paths} relative to {@code root}, one per entry in order; a path listed twice is
     * computed once), with features on {@code threads} threads and crops of consecutive files embedded together — what
     * {@code voxkd embed} writes. {@code progress} receives the count of distinct files done.
     */
    public float[][] embedAll(Path root, List<String> paths, int threads, IntConsumer progress) throws IOException {
        return UtteranceEmbeddings.embedAll(this::network, root, paths, options.frames(), options.crops(), threads, progress);
    }

    private float[][] network(List<float[]> crops) {
        synchronized (network) {
            return network.embed(crops);
        }
    }

    private Embedding fromCrops(List<float[]> features, String name) {
        float[][] unit = UtteranceEmbeddings.unitCrops(this::network, new ArrayList<>(features), name);
        return new Embedding(UtteranceEmbeddings.mean(unit), unit);
    }

    /** Releases the backend's buffers or the ONNX Runtime session. */
    @Override public void close() {
        RuntimeException first = null;
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
        }
        if (first != null) throw first;
    }
}
