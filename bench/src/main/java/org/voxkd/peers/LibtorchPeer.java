package org.voxkd.peers;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The libtorch peer of {@code voxkd bench compare}: a TorchScript trace of the V2 student
 * ({@code tools/torch_peer.py trace}) run by libtorch 2.7.1 (CPU) through DJL, inference only. Prints one JSON
 * line with {@code student_infer_samples_per_s}, the median over {@code --reps} batches after {@code --warmup}.
 *
 * <pre>
 *   java -Dai.djl.offline=true -jar bench/target/voxkd-peers.jar --model student_v2.pt --batch 64 --frames 200 --reps 5
 *   (environment PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cpu OMP_NUM_THREADS=2: DJL then uses the bundled libtorch)
 * </pre>
 */
public final class LibtorchPeer {
    private LibtorchPeer() {}

    public static void main(String[] args) throws Exception {
        Path model = null;
        int batch = 64, frames = 200, mels = 80, reps = 5, warmup = 2;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--model" -> model = Path.of(need(args[i], v));
                case "--batch" -> batch = Integer.parseInt(need(args[i], v));
                case "--frames" -> frames = Integer.parseInt(need(args[i], v));
                case "--mels" -> mels = Integer.parseInt(need(args[i], v));
                case "--reps" -> reps = Integer.parseInt(need(args[i], v));
                case "--warmup" -> warmup = Integer.parseInt(need(args[i], v));
                default -> fail("unknown option " + args[i] + " (--model FILE --batch N --frames N --mels N --reps N --warmup N)");
            }
            i++;
        }
        if (model == null || !Files.isRegularFile(model)) fail("--model must name a TorchScript file (tools/torch_peer.py trace), got " + model);
        if (reps < 1 || batch < 1 || frames < 1) fail("--reps, --batch and --frames must be positive");
        String name = model.getFileName().toString().replaceFirst("\\.pt$", "");
        try (Model m = Model.newInstance(name, "PyTorch")) {
            m.load(model.getParent(), name);
            try (Predictor<NDList, NDList> p = m.newPredictor(new NoopTranslator()); NDManager nd = m.getNDManager().newSubManager()) {
                NDArray x = nd.randomNormal(new Shape(batch, frames, mels));
                NDList in = new NDList(x);
                for (int i = 0; i < warmup; i++) p.predict(in).close();
                double[] ms = new double[reps];
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    NDList out = p.predict(in);
                    out.singletonOrThrow().toFloatArray(); // the result on the host, as voxkd's figure includes
                    out.close();
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                double med = reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
                System.out.printf(Locale.ROOT, "{\"peer\": \"libtorch\", \"libtorch\": \"%s\", \"djl\": \"%s\", \"threads\": \"%s\", \"batch\": %d, "
                                + "\"frames\": %d, \"reps\": %d, \"student_infer_samples_per_s\": %.3f}%n", Engine.getEngine("PyTorch").getVersion(),
                        Engine.getDjlVersion(), System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), batch, frames, reps, batch / (med / 1e3));
            }
        }
    }

    private static String need(String option, String value) {
        if (value == null) fail(option + " needs a value");
        return value;
    }

    private static void fail(String why) {
        System.err.println("libtorch peer: " + why);
        System.exit(2);
    }
}
