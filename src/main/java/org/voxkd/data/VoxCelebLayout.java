package org.voxkd.data;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The VoxCeleb layout {@code ROOT/SPEAKER/VIDEO/UTT.ext}: VoxCeleb1's {@code wav/idXXXXX/VIDEO/NNNNN.wav} and
 * VoxCeleb2's {@code dev/aac/idXXXXX/VIDEO/NNNNN.m4a}. Nothing found under ROOT is dropped silently: files of the
 * wanted extension make the list; everything else is counted and reported ({@link Scan#report}) — other extensions at
 * the utterance depth, files at other depths, and utterance-depth files under a folder that is not a speaker id (a
 * {@code rirs/…} or {@code musan/…} folder next to the speakers when ROOT is one folder too high).
 */
public final class VoxCelebLayout {
    private VoxCelebLayout() {}

    /** VoxCeleb's speaker folders: {@code id} and digits. */
    public static final Pattern VOXCELEB_SPEAKER = Pattern.compile("id\\d+");

    /** Examples shown per kind of reported file. */
    static final int EXAMPLES = 3;

    /**
     * The scan result, every list sorted by path: the utterances ({@code speaker path}, paths relative to ROOT), and
     * the files that are not in it — {@code otherExtension} (utterance depth, another extension), {@code otherDepth}
     * (any other depth), {@code notSpeaker} (utterance depth under a folder the speaker pattern refuses).
     */
    public record Scan(List<Lists.Utterance> list, List<String> otherExtension, List<String> otherDepth, List<String> notSpeaker) {
        /** Back-compatible name: files at the utterance depth that were skipped because of their extension. */
        public List<String> skipped() { return otherExtension; }

        /** One line per kind of file left out, with its count and a few examples; empty when nothing was left out. */
        public List<String> report(String ext) {
            List<String> out = new ArrayList<>();
            add(out, otherExtension, "files at SPEAKER/VIDEO/UTT depth are not ." + ext + (ext.equals("wav")
                    ? " (VoxCeleb2 .m4a: use `voxkd data prepare voxceleb`, which converts them)" : ""));
            add(out, notSpeaker, "files under a top folder that is not a speaker id (not " + VOXCELEB_SPEAKER.pattern() + "; --speakers changes the pattern)");
            add(out, otherDepth, "files not at SPEAKER/VIDEO/UTT depth" + hint());
            return out;
        }

        /** When the utterances sit one level deeper (ROOT/wav/idX/V/U.wav), the folder ROOT should have been. */
        private String hint() {
            TreeMap<String, Integer> tops = new TreeMap<>();
            for (String f : otherDepth) {
                String[] p = f.split("/");
                if (p.length == 4 && VOXCELEB_SPEAKER.matcher(p[1]).matches()) tops.merge(p[0], 1, Integer::sum);
            }
            if (tops.isEmpty()) return "";
            String best = tops.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).get().getKey();
            return "; " + tops.get(best) + " of them are ROOT/" + best + "/SPEAKER/VIDEO/UTT: did you mean --root ROOT/" + best + "?";
        }

        private static void add(List<String> out, List<String> files, String what) {
            if (files.isEmpty()) return;
            out.add(files.size() + " " + what + ", e.g. " + String.join(", ", files.subList(0, Math.min(EXAMPLES, files.size()))));
        }
    }

    /** The .wav utterances of ROOT with VoxCeleb speaker ids. */
    public static Scan scan(Path root) throws IOException {
        return scan(root, "wav", VOXCELEB_SPEAKER);
    }

    /**
     * The {@code .ext} utterances of ROOT whose speaker folder matches {@code speakers}; an error naming ROOT when there
     * is none (with what was found instead). Symbolic links are followed (a prepared tree links VoxCeleb1's speakers).
     */
    public static Scan scan(Path root, String ext, Pattern speakers) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + ": not a directory");
        String suffix = "." + ext.toLowerCase(Locale.ROOT);
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
            s.filter(Files::isRegularFile).forEach(p -> files.add(root.relativize(p).toString().replace('\\', '/')));
        }
        files.sort(null);
        List<Lists.Utterance> list = new ArrayList<>();
        List<String> otherExt = new ArrayList<>(), otherDepth = new ArrayList<>(), notSpeaker = new ArrayList<>();
        for (String f : files) {
            String[] parts = f.split("/");
            if (parts.length != 3) otherDepth.add(f);
            else if (!f.toLowerCase(Locale.ROOT).endsWith(suffix)) otherExt.add(f);
            else if (!speakers.matcher(parts[0]).matches()) notSpeaker.add(f);
            else list.add(new Lists.Utterance(parts[0], f));
        }
        Scan scan = new Scan(List.copyOf(list), List.copyOf(otherExt), List.copyOf(otherDepth), List.copyOf(notSpeaker));
        if (list.isEmpty()) {
            List<String> r = scan.report(ext);
            throw new IOException(root + ": no SPEAKER/VIDEO/UTT" + suffix + " files found (SPEAKER: " + speakers.pattern() + ")"
                    + (r.isEmpty() ? "; the folder is empty" : ":\n  " + String.join("\n  ", r)));
        }
        return scan;
    }
}
