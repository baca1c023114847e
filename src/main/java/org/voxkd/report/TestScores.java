package org.voxkd.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.eval.Eer;
import org.voxkd.stats.TrialSet;

/**
 * A run's {@code test_scores.txt}: per trial of the test list, in list order, the label, the score of the
 * selected and of the last weights, and the speakers of both sides; the header names the list's SHA-256, so
 * that two runs are compared only on the same trials. Malformed lines are errors naming the file and line.
 */
public record TestScores(String listSha256, TrialSet trials, double[] best, double[] last) {
    /** Ranked scores (for weighted, resampled metrics), built once per run and weight set. */
    public Eer.Ranked ranked(boolean selected) {
        return Eer.rank(selected ? best : last, trials.labels());
    }

    public static TestScores read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String sha = null;
        List<int[]> rows = new ArrayList<>();
        List<double[]> scores = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("# trials ")) {
                String[] f = l.split("\\s+");
                if (f.length >= 5 && f[3].equals("sha256")) sha = f[4];
                continue;
            }
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] f = l.split(" ");
            try {
                if (f.length != 5 || !(f[0].equals("0") || f[0].equals("1"))) throw new NumberFormatException("expected 'label best last enroll_speaker test_speaker'");
                double b = Double.parseDouble(f[1]), a = Double.parseDouble(f[2]);
                if (!Double.isFinite(b) || !Double.isFinite(a)) throw new NumberFormatException("non-finite score");
                int e = index.computeIfAbsent(f[3], k -> { names.add(k); return names.size() - 1; });
                int t = index.computeIfAbsent(f[4], k -> { names.add(k); return names.size() - 1; });
                rows.add(new int[] {f[0].charAt(0) - '0', e, t});
                scores.add(new double[] {b, a});
            } catch (NumberFormatException ex) {
                throw new IOException(file + ":" + (i + 1) + ": " + ex.getMessage() + ": '" + l + "'");
            }
        }
        if (sha == null) throw new IOException(file + ": no '# trials NAME sha256 HASH' header line");
        if (rows.isEmpty()) throw new IOException(file + ": no trials");
        int n = rows.size();
        int[] labels = new int[n], e = new int[n], t = new int[n];
        double[] best = new double[n], last = new double[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rows.get(i)[0];
            e[i] = rows.get(i)[1];
            t[i] = rows.get(i)[2];
            best[i] = scores.get(i)[0];
            last[i] = scores.get(i)[1];
        }
        return new TestScores(sha, new TrialSet(labels, e, t, List.copyOf(names)), best, last);
    }
}
