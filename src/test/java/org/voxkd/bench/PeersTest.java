package org.voxkd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.voxkd.cli.Main;
import picocli.CommandLine;

/** Peers of `bench compare`: a process peer's JSON line, its failures, and the table when no peer can run. */
class PeersTest {
    private static final Peer.Shapes SHAPES = new Peer.Shapes(2, 8, 10, 2, 1);

    @Test
    void processPeerReadsItsLastJsonLine() {
        Peer.Result r = ProcessPeer.run(List.of("sh", "-c", "echo noise; echo '{\"torch\": \"9.9\", \"threads\": 2, \"kd_train_samples_per_s\": 3.5, "
                + "\"student_infer_samples_per_s\": 40.25}'"), Map.of(), List.of("torch", "threads", "absent"), 30);
        assertTrue(r.ok(), r.error());
        assertEquals("torch 9.9, threads 2", r.version());
        assertEquals(3.5, r.trainSamplesPerSecond());
        assertEquals(40.25, r.inferSamplesPerSecond());
        Peer.Result inferOnly = ProcessPeer.run(List.of("sh", "-c", "echo '{\"student_infer_samples_per_s\": 7}'"), Map.of(), List.of(), 30);
        assertTrue(Double.isNaN(inferOnly.trainSamplesPerSecond()));
        assertEquals(7, inferOnly.inferSamplesPerSecond());
    }

    @Test
    void processPeerFailuresSayWhy() {
        Peer.Result crash = ProcessPeer.run(List.of("sh", "-c", "echo \"ModuleNotFoundError: No module named 'torch'\"; exit 1"), Map.of(), List.of(), 30);
        assertFalse(crash.ok());
        assertTrue(crash.error().contains("exited with 1") && crash.error().contains("apt-get install python3-torch"), crash.error());
        Peer.Result slow = ProcessPeer.run(List.of("sleep", "5"), Map.of(), List.of(), 1);
        assertEquals("timed out after 1 s", slow.error());
        Peer missing = ProcessPeer.of("X", List.of(new ProcessPeer.Needs(Path.of("/no/such/peer.py"), false, "install it")), Map.of(),
                s -> List.of("true"), List.of(), 30);
        assertEquals("/no/such/peer.py not found (install it)", missing.measure(SHAPES).error());
        Peer throwing = new Peer("Y", s -> { throw new IllegalStateException("no model"); });
        assertEquals("IllegalStateException: no model", throwing.measure(SHAPES).error());
    }

    @Test
    void everyStandardPeerReportsWhatIsMissing() {
        Path nowhere = Path.of("/no/such/checkout");
        List<Peer> peers = Peers.all(Peers.Paths.under(nowhere, Path.of("/no/python3"), nowhere.resolve("peer.py")), 30);
        assertEquals(List.of("PyTorch", "libtorch", "ONNX Runtime"), peers.stream().map(Peer::name).toList());
        assertTrue(peers.get(0).measure(SHAPES).error().contains("peer.py not found"));
        String lib = peers.get(1).measure(SHAPES).error();
        assertTrue(lib.contains("voxkd-peers.jar not found") && lib.contains("mvn -f bench/pom.xml package"), lib);
    }

    @Test
    void compareWithoutPeersStillPrintsVoxkd() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute("bench", "compare", "--batch", "2", "--frames", "8", "--reps", "1", "--peer", "/no/such/peer.py", "--root", "/no/such/checkout");
        assertEquals(0, rc, err.toString());
        String text = out.toString();
        assertTrue(text.contains("PyTorch peer: not run — /no/such/peer.py not found"), text);
        assertTrue(text.contains("libtorch peer: not run — /no/such/checkout/bench/target/voxkd-peers.jar not found"), text);
        String row = text.lines().filter(l -> l.startsWith("student inference")).findFirst().orElseThrow();
        String[] f = row.substring("student inference".length()).trim().split("\\s+");
        assertTrue(Double.parseDouble(f[0]) > 0, row);
        // PyTorch and libtorch are missing here; ONNX Runtime (a Maven dependency) runs voxkd's own export
        assertEquals(List.of("-", "-"), List.of(f).subList(1, 3), row);
        assertTrue(Double.parseDouble(f[3]) > 0, row);
        assertEquals(List.of("-", "-"), List.of(f).subList(4, 6), row);
        assertTrue(f[6].endsWith("×"), row);
        assertTrue(text.contains("ONNX Runtime peer: onnxruntime 1.22"), text);
    }
}
