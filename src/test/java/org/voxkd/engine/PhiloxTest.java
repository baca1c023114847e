package org.voxkd.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.voxkd.kernels.Activation;

class PhiloxTest {
    /** Known-answer vectors of Random123's philox4x32-10 (kat_vectors). */
    @Test
    void matchesRandom123KnownAnswers() {
        int[] out = new int[4];
        Philox.block(0, 0, 0, 0, 0, 0, out);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
        Philox.block(-1, -1, -1, -1, -1, -1, out);
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, out);
        Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, out);
    }

    @Test
    void streamIsAPureFunctionOfSeedStreamAndIndex() {
        Philox.Stream a = new Philox.Stream(99, 5), b = new Philox.Stream(99, 5), c = new Philox.Stream(99, 6);
        double sum = 0;
        int same = 0;
        for (int i = 0; i < 10_000; i++) {
            double x = a.nextDouble();
            assertEquals(x, b.nextDouble());
            if (x == c.nextDouble()) same++;
            sum += x;
        }
        assertEquals(0, same);
        assertEquals(0.5, sum / 10_000, 0.01);
    }

    @Test
    void dropoutKeepRateMatchesProbability() {
        int kept = 0, n = 200_000;
        for (int i = 0; i < n; i++) if (Activation.dropoutKeeps(i, 0.1f, 3, 2, 12345L)) kept++;
        // Binomial standard deviation at n = 2e5, p = 0.9 is 0.00067: five of them.
        assertEquals(0.9, kept / (double) n, 0.0034);
    }
}
