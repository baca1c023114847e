package org.voxkd.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EerTest {
    @Test
    void perfectSeparation() {
        Eer.Result r = Eer.compute(new double[] {0.9, 0.8, 0.1, 0.2}, new int[] {1, 1, 0, 0});
        assertEquals(0.0, r.eer(), 0);
        assertEquals(0.8, r.threshold(), 0);
        assertEquals(0.0, r.minDcf05(), 0);
    }

    @Test
    void handWorkedExample() {
        // scores desc: .9(T) .8(N) .7(T) .6(N) .5(T) .4(N) ; 3 targets, 3 non-targets
        // points (FRR, FAR) after each score: (1,0) .9:(2/3,0) .8:(2/3,1/3) .7:(1/3,1/3) .6:(1/3,2/3) .5:(0,2/3) .4:(0,1)
        Eer.Result r = Eer.compute(new double[] {0.5, 0.9, 0.4, 0.8, 0.7, 0.6}, new int[] {1, 1, 0, 0, 1, 0});
        assertEquals(1.0 / 3, r.eer(), 1e-12);
        assertEquals(0.7, r.threshold(), 0);
        // DCF(P=0.05) = (0.05·FRR + 0.95·FAR)/0.05 ; min at (2/3, 0): 2/3
        assertEquals(2.0 / 3, r.minDcf05(), 1e-12);
        assertEquals(2.0 / 3, r.minDcf01(), 1e-12);
        assertEquals(3, r.targets());
    }

    @Test
    void tiesFormOneOperatingPoint() {
        // all scores equal: only "accept nothing" (1,0) and "accept all" (0,1): EER = 1
        Eer.Result r = Eer.compute(new double[] {0.5, 0.5, 0.5, 0.5}, new int[] {1, 0, 1, 0});
        assertEquals(1.0, r.eer(), 0);
        assertEquals(1.0, r.minDcf05(), 1e-12); // accept nothing: P_miss = 1 → 0.05/0.05
    }

    @Test
    void chanceLevelIsAboutHalf() {
        int n = 20000;
        double[] s = new double[n];
        int[] l = new int[n];
        org.voxkd.engine.Philox.Stream r = new org.voxkd.engine.Philox.Stream(3, 3);
        for (int i = 0; i < n; i++) { s[i] = r.nextDouble(); l[i] = i % 2; }
        assertEquals(0.5, Eer.compute(s, l).eer(), 0.02);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Eer.compute(new double[] {1, 2}, new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> Eer.compute(new double[] {1, 2}, new int[] {1, 2}));
    }
}
