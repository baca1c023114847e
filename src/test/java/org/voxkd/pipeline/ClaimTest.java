package org.voxkd.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.ledger.Ledger;

/** Run claims: exclusive, refreshed, released; stale ones (dead pid, reused pid, silent heartbeat) taken over with a message; live ones never. */
class ClaimTest {
    static final Duration STALE = Duration.ofMinutes(5);
    @TempDir Path tmp;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    /** Writes a claim file as another process would have. */
    void claimBy(Path dir, String host, long pid, String pidStart, Instant heartbeat) throws IOException {
        ObjectNode o = Ledger.JSON.createObjectNode().put("host", host).put("pid", pid).put("pid_start", pidStart).put("token", "someone-else")
                .put("start", heartbeat.minusSeconds(60).toString()).put("heartbeat", heartbeat.toString()).put("command", "voxkd reproduce");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(Claim.FILE), o.toPrettyString());
    }

    @Test
    void exclusiveUntilReleased() throws IOException {
        Path dir = tmp.resolve("runs/a");
        Optional<Claim> first = Claim.tryAcquire(dir, STALE, "test", log);
        assertTrue(first.isPresent());
        Claim.Holder h = Claim.holder(dir).orElseThrow();
        assertEquals(ProcessHandle.current().pid(), h.pid());
        assertEquals(Claim.HOST, h.host());
        assertTrue(Claim.tryAcquire(dir, STALE, "test", log).isEmpty(), "a live holder keeps its claim");
        first.get().checkHeld();
        first.get().close();
        assertFalse(Files.exists(dir.resolve(Claim.FILE)), "released");
        try (Claim again = Claim.tryAcquire(dir, STALE, "test", log).orElseThrow()) {
            assertTrue(Files.exists(dir.resolve(Claim.FILE)));
        }
        assertFalse(bytes.toString().contains("taking over"), bytes.toString());
    }

    @Test
    void deadProcessOnThisHostIsStale() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Path dir = tmp.resolve("runs/dead");
        claimBy(dir, Claim.HOST, p.pid(), "", Instant.now());
        try (Claim c = Claim.tryAcquire(dir, STALE, "test", log).orElseThrow()) {
            assertEquals(ProcessHandle.current().pid(), Claim.holder(dir).orElseThrow().pid());
        }
        assertTrue(bytes.toString().contains("taking over the stale claim of dead by " + Claim.HOST + ":" + p.pid()), bytes.toString());
        assertTrue(bytes.toString().contains("is gone"), bytes.toString());
    }

    @Test
    void reusedPidIsStale() throws IOException {
        Path dir = tmp.resolve("runs/reused");
        claimBy(dir, Claim.HOST, ProcessHandle.current().pid(), "2001-01-01T00:00:00Z", Instant.now());
        assertTrue(Claim.tryAcquire(dir, STALE, "test", log).isPresent());
        assertTrue(bytes.toString().contains("is now another process"), bytes.toString());
    }

    @Test
    void silentHeartbeatOnAnotherHostIsStaleAndAFreshOneIsNot() throws IOException {
        Path live = tmp.resolve("runs/live"), silent = tmp.resolve("runs/silent");
        claimBy(live, "node17", 4242, "", Instant.now().minusSeconds(60));
        claimBy(silent, "node17", 4242, "", Instant.now().minusSeconds(301));
        assertTrue(Claim.tryAcquire(live, STALE, "test", log).isEmpty(), "another host's fresh heartbeat: live");
        assertEquals("node17", Claim.holder(live).orElseThrow().host());
        assertTrue(Claim.tryAcquire(silent, STALE, "test", log).isPresent());
        assertTrue(bytes.toString().contains("by node17:4242") && bytes.toString().contains("no heartbeat for 30"), bytes.toString());
    }

    @Test
    void heartbeatAdvancesAndATakenOverClaimIsNotOverwritten() throws Exception {
        Path dir = tmp.resolve("runs/beat");
        Claim c = Claim.tryAcquire(dir, Duration.ofSeconds(2), "test", log).orElseThrow(); // heartbeat every 0.2 s
        Instant first = Claim.holder(dir).orElseThrow().heartbeat();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Claim.holder(dir).orElseThrow().heartbeat().isAfter(first) && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(Claim.holder(dir).orElseThrow().heartbeat().isAfter(first), "the heartbeat is refreshed");
        // another process judged it stale and took it over
        claimBy(dir, "node17", 99, "", Instant.now());
        IOException lost = assertThrows(IOException.class, c::checkHeld);
        assertTrue(lost.getMessage().contains("taken over by node17:99"), lost.getMessage());
        c.close();
        assertEquals("node17", Claim.holder(dir).orElseThrow().host(), "the new holder's claim stays");
    }

    @Test
    void threadsRacingForOneRunGetOneClaim() throws Exception {
        Path dir = tmp.resolve("runs/race");
        int n = 8;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger won = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        List<Claim> claims = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    Claim.tryAcquire(dir, STALE, "test", log).ifPresent(c -> {
                        won.incrementAndGet();
                        claims.add(c);
                    });
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            ts.add(t);
        }
        go.countDown();
        for (Thread t : ts) t.join();
        assertEquals(1, won.get());
        for (Claim c : claims) c.close();
    }
}
