package org.voxkd.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.eval.CropEmbedder;

/**
 * An exported model in an ONNX Runtime session (CPU): embeddings of feature crops, the model's metadata. Takes crops
 * in voxkd's layout ([frames, mels] row-major, as the loaders give them) and transposes them to the graph's
 * {@code [batch, mels, frames]}. One session, {@code threads} intra-op threads, sequential execution, all graph
 * optimisations. Not thread-safe.
 */
public final class OrtModel implements CropEmbedder, AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int mels;
    private final String source;

    public OrtModel(Path file, int threads) throws OrtException {
        this(file.toString(), null, threads);
    }

    /** A session of an in-memory model ({@code name} for messages). */
    public OrtModel(byte[] model, String name, int threads) throws OrtException {
        this(name, model, threads);
    }

    private OrtModel(String source, byte[] model, int threads) throws OrtException {
        this.source = source;
        try (OrtSession.SessionOptions o = options(threads)) {
            this.session = model == null ? env.createSession(source, o) : env.createSession(model, o);
        }
        this.mels = (int) inputShape()[1];
    }

    /** The input's shape as ONNX Runtime reads it: −1 for a named (dynamic) axis. */
    public long[] inputShape() throws OrtException {
        var in = session.getInputInfo().get(OnnxModels.INPUT);
        if (in == null) throw new IllegalArgumentException(source + ": the model has no input named " + OnnxModels.INPUT);
        return ((ai.onnxruntime.TensorInfo) in.getInfo()).getShape();
    }

    static OrtSession.SessionOptions options(int threads) throws OrtException {
        if (threads < 1) throw new IllegalArgumentException("ONNX Runtime threads must be at least 1, got " + threads);
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return o;
    }

    public int mels() { return mels; }

    /** The model's metadata_props. */
    public Map<String, String> metadata() throws OrtException {
        return new LinkedHashMap<>(session.getMetadata().getCustomMetadata());
    }

    /** Embeddings [batch][D] of {@code features} laid out as the graph takes them: [batch, mels, frames]. */
    public float[][] run(float[] features, int batch, int frames) throws OrtException {
        float[] flat = runAll(features, batch, frames).get(OnnxModels.OUTPUT);
        int d = flat.length / batch;
        float[][] out = new float[batch][d];
        for (int i = 0; i < batch; i++) System.arraycopy(flat, i * d, out[i], 0, d);
        return out;
    }

    /** Every graph output by name (the calibration probe's extra outputs included), flattened row-major. */
    public Map<String, float[]> runAll(float[] features, int batch, int frames) throws OrtException {
        if (features.length != (long) batch * mels * frames)
            throw new IllegalArgumentException(source + ": " + features.length + " floats for a [" + batch + ", " + mels + ", " + frames + "] input");
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(features), new long[] {batch, mels, frames});
             OrtSession.Result r = session.run(Map.of(OnnxModels.INPUT, t))) {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> e : r) {
                FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                out.put(e.getKey(), v);
            }
            return out;
        }
    }

    /** Crops [frames·mels] (frame-major, voxkd's layout) → the graph's channel-first batch. */
    public static float[] channelFirst(List<float[]> crops, int mels) {
        int n = crops.size(), frames = crops.get(0).length / mels;
        float[] x = new float[n * mels * frames];
        for (int i = 0; i < n; i++) {
            float[] c = crops.get(i);
            if (c.length != frames * mels) throw new IllegalArgumentException("crops differ in length: " + c.length + " vs " + frames * mels);
            for (int t = 0; t < frames; t++)
                for (int m = 0; m < mels; m++) x[(i * mels + m) * frames + t] = c[t * mels + m];
        }
        return x;
    }

    @Override public float[][] embed(List<float[]> crops) {
        if (crops.isEmpty()) throw new IllegalArgumentException("no crops to embed");
        try {
            return run(channelFirst(crops, mels), crops.size(), crops.get(0).length / mels);
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    @Override public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": closing the ONNX Runtime session failed", e);
        }
    }
}
