package org.voxkd.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Builds a training list from the VoxCeleb layout {@code ROOT/idXXXXX/VIDEO/UTT.wav}. */
public final class VoxCelebLayout {
    private VoxCelebLayout() {}

    /** The scan result: the list (sorted by path) and files at depth 3 that were skipped because they are not .wav. */
    public record Scan(List<Lists.Utterance> list, List<String> skipped) {}

    public static Scan scan(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + ": not a directory");
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root, 3)) {
            s.filter(Files::isRegularFile).forEach(p -> {
                Path rel = root.relativize(p);
                if (rel.getNameCount() == 3) files.add(rel.toString().replace('\\', '/'));
            });
        }
        files.sort(null);
        List<Lists.Utterance> list = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String f : files) {
            if (f.toLowerCase(java.util.Locale.ROOT).endsWith(".wav")) list.add(new Lists.Utterance(f.substring(0, f.indexOf('/')), f));
            else skipped.add(f);
        }
        if (list.isEmpty()) {
            throw new IOException(root + ": no SPEAKER/VIDEO/UTT.wav files found" + (skipped.isEmpty() ? ""
                    : " (" + skipped.size() + " other files, e.g. " + skipped.get(0) + "; VoxCeleb2 .m4a must be converted to 16 kHz WAV first,"
                    + " e.g.  ffmpeg -i in.m4a -ac 1 -ar 16000 out.wav)"));
        }
        return new Scan(list, skipped);
    }
}
