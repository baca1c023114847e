package org.voxkd.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.stats.TrialSet;

/**
 * The per-trial score files of results/ ({@code runs/ID/test_scores.txt}, {@code deploy/ID/scores.txt}): a
 * {@code # trials NAME sha256 HASH} header, optionally {@code # label COLUMN… enroll_speaker test_speaker}, then one
 * line per trial of the list, in list order: the label (0/1), one score per column, the speakers of both sides.
 * Malformed lines are errors naming the file and line.
 */
record ScoreFile(String listSha256, TrialSet trials, List<String> columns, List<double[]> scores) {
    /** The scores of a column by its name. */
    double[] column(String name) {
        int k = columns.indexOf(name);
        if (k < 0) throw new IllegalArgumentException("no score column " + name + " in " + columns);
        return scores.get(k);
    }

    /**
     * Reads a score file with {@code count} score columns (named by the {@code # label …} header when count is 0);
     * {@code layout} is what a line must look like, for the error message.
     */
    static ScoreFile read(Path file, int count, String layout) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String sha = null;
        List<String> names = null;
        List<int[]> rows = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        List<String> speakers = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.startsWith("# trials ")) {
                String[] f = l.split("\\s+");
                if (f.length >= 5 && f[3].equals("sha256")) sha = f[4];
                continue;
            }
            if (count == 0 && l.startsWith("# label ")) {
                String[] h = l.substring(2).trim().split("\\s+");
                names = List.of(h).subList(1, h.length - 2);
                continue;
            }
            if (l.isEmpty() || l.startsWith("#")) continue;
            int n = count > 0 ? count : names == null ? -1 : names.size();
            String[] f = l.split(" ");
            try {
                if (n < 0) throw new NumberFormatException("a score line before the '# label …' header");
                if (f.length != n + 3 || !(f[0].equals("0") || f[0].equals("1"))) throw new NumberFormatException("expected '" + layout + "'");
                double[] v = new double[n];
                for (int k = 0; k < n; k++) {
                    v[k] = Double.parseDouble(f[k + 1]);
                    if (!Double.isFinite(v[k])) throw new NumberFormatException("non-finite score");
                }
                int e = index.computeIfAbsent(f[n + 1], k -> { speakers.add(k); return speakers.size() - 1; });
                int t = index.computeIfAbsent(f[n + 2], k -> { speakers.add(k); return speakers.size() - 1; });
                rows.add(new int[] {f[0].charAt(0) - '0', e, t});
                values.add(v);
            } catch (NumberFormatException ex) {
                throw new IOException(file + ":" + (i + 1) + ": " + ex.getMessage() + ": '" + l + "'");
            }
        }
        if (sha == null) throw new IOException(file + ": no '# trials NAME sha256 HASH' header line");
        if (rows.isEmpty()) throw new IOException(file + ": no trials");
        int n = rows.size(), c = values.get(0).length;
        int[] labels = new int[n], e = new int[n], t = new int[n];
        List<double[]> cols = new ArrayList<>();
        for (int k = 0; k < c; k++) cols.add(new double[n]);
        for (int i = 0; i < n; i++) {
            labels[i] = rows.get(i)[0];
            e[i] = rows.get(i)[1];
            t[i] = rows.get(i)[2];
            for (int k = 0; k < c; k++) cols.get(k)[i] = values.get(i)[k];
        }
        List<String> named = names != null ? names : java.util.stream.IntStream.range(0, c).mapToObj(k -> "score" + (k + 1)).toList();
        return new ScoreFile(sha, new TrialSet(labels, e, t, List.copyOf(speakers)), named, List.copyOf(cols));
    }
}
