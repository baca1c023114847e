package org.voxkd.stats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.data.Lists;

/**
 * A trial list as the bootstraps see it: each trial's label and the speaker (cluster) of each side. A speaker
 * is the first path component (VoxCeleb's {@code idXXXXX/video/utt.wav} layout, which SynthVox follows); a
 * path without a directory is its own cluster — an utterance-level bootstrap, the best that can be done
 * without speaker labels. Trials of one speaker are correlated (the same voice, the same recordings), which is
 * why intervals resample speakers, not trials.
 */
public record TrialSet(int[] labels, int[] enrollSpeaker, int[] testSpeaker, List<String> speakers) {
    public int size() { return labels.length; }

    public int speakerCount() { return speakers.size(); }

    public static TrialSet of(List<Lists.Trial> trials) {
        Map<String, Integer> index = new HashMap<>();
        List<String> names = new ArrayList<>();
        int n = trials.size();
        int[] labels = new int[n], e = new int[n], t = new int[n];
        for (int i = 0; i < n; i++) {
            Lists.Trial tr = trials.get(i);
            labels[i] = tr.label();
            e[i] = index.computeIfAbsent(speakerOf(tr.enroll()), k -> { names.add(k); return names.size() - 1; });
            t[i] = index.computeIfAbsent(speakerOf(tr.test()), k -> { names.add(k); return names.size() - 1; });
        }
        return new TrialSet(labels, e, t, List.copyOf(names));
    }

    /** The speaker of an utterance path: its first directory (or the whole path when it has none). */
    public static String speakerOf(String path) {
        String p = path.replace('\\', '/');
        while (p.startsWith("./")) p = p.substring(2);
        int slash = p.indexOf('/');
        return slash > 0 ? p.substring(0, slash) : p;
    }
}
