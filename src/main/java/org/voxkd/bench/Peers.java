package org.voxkd.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.voxkd.export.OnnxExport;
import org.voxkd.export.OrtBench;
import org.voxkd.export.Variant;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;

/**
 * The peers of {@code voxkd bench compare}, in table order. Each is one entry here (see {@link Peer} for an
 * in-process one such as ONNX Runtime).
 *
 * <ul>
 *   <li>PyTorch: Debian's python3-torch running {@code ../shared/peers/pytorch_cpu_bench.py} (training and inference).
 *   <li>libtorch 2.7.1 (CPU) through DJL 0.34.0: {@code bench/target/voxkd-peers.jar} (the {@code bench/} module, built
 *       by {@code make bench}) running the TorchScript trace {@code target/bench/student_v2.pt} of
 *       {@code tools/torch_peer.py trace} (inference only).
 *   <li>ONNX Runtime 1.22 (Maven Central, in this JVM) running voxkd's own ONNX export of the same V2 student
 *       ({@code export.OnnxExport}, fp32; random weights: speed does not depend on them) (inference only).
 * </ul>
 */
public final class Peers {
    private Peers() {}

    /** Where the peers' files are; {@code root} is the checkout (the working directory of `make bench`). */
    public record Paths(Path python, Path pytorchScript, Path peersJar, Path trace) {
        public static Paths under(Path root, Path python, Path pytorchScript) {
            return new Paths(python, pytorchScript, root.resolve("bench/target/voxkd-peers.jar"), root.resolve("target/bench/student_v2.pt"));
        }
    }

    public static List<Peer> all(Paths p, long timeoutSeconds) {
        List<Peer> peers = new ArrayList<>();
        peers.add(ProcessPeer.of("PyTorch",
                List.of(new ProcessPeer.Needs(p.pytorchScript(), false, "the shared peer script; --peer names another copy"),
                        new ProcessPeer.Needs(p.python(), true, "apt-get install python3-torch")),
                Map.of(),
                s -> List.of(p.python().toString(), p.pytorchScript().toString(), "bench", "--batch", "" + s.batch(), "--frames", "" + s.frames(),
                        "--classes", "" + s.classes(), "--threads", "" + s.threads(), "--steps", "" + s.reps(), "--warmup", "1"),
                List.of("torch", "threads"), timeoutSeconds));
        peers.add(ProcessPeer.of("libtorch",
                List.of(new ProcessPeer.Needs(p.peersJar(), false, "make bench builds it: mvn -f bench/pom.xml package"),
                        new ProcessPeer.Needs(p.trace(), false, "make bench traces it: /usr/bin/python3 tools/torch_peer.py trace --out " + p.trace()
                                + ", which needs python3-torch")),
                Map.of("PYTORCH_VERSION", "2.7.1", "PYTORCH_FLAVOR", "cpu"),
                s -> List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true",
                        "-Dai.djl.pytorch.num_interop_threads=1", "-Dai.djl.pytorch.num_threads=" + s.threads(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-jar", p.peersJar().toString(), "--model", p.trace().toString(), "--batch", "" + s.batch(), "--frames", "" + s.frames(),
                        "--reps", "" + Math.max(s.reps(), 5), "--warmup", "3"),
                List.of("libtorch", "djl", "threads"), timeoutSeconds));
        byte[][] export = new byte[1][]; // made once, timed in every round
        peers.add(new Peer("ONNX Runtime", s -> onnxRuntime(s, export)));
        return peers;
    }

    /** voxkd's fp32 ONNX export of the paper-sized V2 student under ONNX Runtime's CPU provider, at the bench shapes. */
    static Peer.Result onnxRuntime(Peer.Shapes s, byte[][] export) {
        try {
            if (export[0] == null) {
                Student v2 = new Student(StudentConfig.v2());
                float[][] w = {v2.parameters().initialValues(1, true), v2.parameters().initialValues(1, false)};
                export[0] = OnnxExport.build(v2, w, Variant.FP32, null, Map.of("voxkd.purpose", "bench compare peer"))
                        .toByteArray();
            }
            byte[] model = export[0];
            OrtBench.Result r = OrtBench.run(model, "V2 student (voxkd export)", s.batch(), s.frames(), s.threads(), 2,
                    Math.max(s.reps(), 5));
            return Peer.Result.inference("onnxruntime " + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion() + " (voxkd's ONNX export, fp32)",
                    r.samplesPerSecond());
        } catch (ai.onnxruntime.OrtException | java.io.IOException | UnsatisfiedLinkError e) {
            return Peer.Result.failed("ONNX Runtime: " + e.getMessage());
        }
    }
}
