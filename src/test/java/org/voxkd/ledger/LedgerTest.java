package org.voxkd.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Appends are checked under the lock: a run's record is appended once, however many writers race. */
class LedgerTest {
    static ObjectNode record(String id, String dir) {
        return Ledger.JSON.createObjectNode().put("id", id).put("dir", dir).put("status", "complete").put("experiment", "teacher");
    }

    @Test
    void aRunIsRecordedOnce(@TempDir Path tmp) throws Exception {
        Ledger l = new Ledger(tmp);
        assertTrue(l.append(record("aaaaaaaaaaaa0001", "runs/aaaaaaaaaaaa0001")));
        assertFalse(l.append(record("aaaaaaaaaaaa0001", "runs/aaaaaaaaaaaa0001")), "the same run again: nothing appended");
        assertTrue(l.append(record("aaaaaaaaaaaa0001", "runs/aaaaaaaaaaaa0001.2")), "a --force re-run in its own folder is a new record");
        assertEquals(2, l.records().size());
        assertTrue(l.record("aaaaaaaaaaaa0001", "runs/aaaaaaaaaaaa0001.2").isPresent());
        assertTrue(l.record("aaaaaaaaaaaa0001", "runs/elsewhere").isEmpty());

        // 6 threads each append the same 10 runs: 10 records, each once, all lines whole
        Ledger m = new Ledger(tmp.resolve("m"));
        AtomicInteger appended = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < 10; i++) if (m.append(record(String.format("bbbbbbbbbbbb%04d", i), "runs/" + i))) appended.incrementAndGet();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) th.join();
        assertEquals(10, appended.get());
        Set<String> ids = new HashSet<>();
        for (ObjectNode r : m.records()) assertTrue(ids.add(r.get("id").asText()));
        assertEquals(10, ids.size());
        assertEquals(10, Files.readAllLines(m.file()).size());
    }
}
