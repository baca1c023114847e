package org.voxkd.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Readers and writers for the list formats: training and trial lists (spec "Data and evaluation"), and plain
 * path lists. Fields are separated by whitespace; blank lines and lines starting with '#' are skipped. Every
 * malformed line is reported, with its number, in one {@link ListFormatException}. Paths are kept as written
 * (relative to a data root).
 */
public final class Lists {
    private Lists() {}

    /** Stop collecting after this many problems (the message says how many more there were). */
    static final int MAX_REPORTED = 50;

    /** One training-list line: {@code speaker path}. */
    public record Utterance(String speaker, String path) {}

    /** One trial-list line: {@code label path1 path2}, label 1 = same speaker. */
    public record Trial(int label, String enroll, String test) {}

    public static List<Utterance> readTrainList(Path file) throws IOException {
        List<Utterance> out = new ArrayList<>();
        parse(file, 2, "speaker path", (f, problems) -> {
            if (isPath(f[1], problems)) out.add(new Utterance(f[0], f[1]));
        });
        return out;
    }

    public static List<Trial> readTrialList(Path file) throws IOException {
        List<Trial> out = new ArrayList<>();
        parse(file, 3, "label path1 path2", (f, problems) -> {
            if (!f[0].equals("0") && !f[0].equals("1")) problems.add("label must be 0 or 1, got '" + f[0] + "'");
            else if (isPath(f[1], problems) & isPath(f[2], problems)) out.add(new Trial(f[0].charAt(0) - '0', f[1], f[2]));
        });
        return out;
    }

    /**
     * A path list: one WAV path per line (relative to a data root), in order, duplicates kept. A line with
     * more than one field — a training or trial list given by mistake, or a path with a space — is an error.
     */
    public static List<String> readPathList(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        parse(file, 1, "path", (f, problems) -> {
            if (isPath(f[0], problems)) out.add(f[0]);
        });
        return out;
    }

    public static void writeTrainList(Path file, List<Utterance> list) throws IOException {
        StringBuilder s = new StringBuilder();
        for (Utterance u : list) s.append(u.speaker()).append(' ').append(u.path()).append('\n');
        Files.writeString(file, s, StandardCharsets.UTF_8);
    }

    public static void writeTrialList(Path file, List<Trial> list) throws IOException {
        StringBuilder s = new StringBuilder();
        for (Trial t : list) s.append(t.label()).append(' ').append(t.enroll()).append(' ').append(t.test()).append('\n');
        Files.writeString(file, s, StandardCharsets.UTF_8);
    }

    /** Classes are the sorted distinct speaker ids. */
    public static List<String> speakers(List<Utterance> list) {
        return list.stream().map(Utterance::speaker).distinct().sorted().toList();
    }

    /** Every distinct path of a trial list, in first-seen order. */
    public static List<String> trialPaths(List<Trial> trials) {
        var set = new java.util.LinkedHashSet<String>();
        for (Trial t : trials) { set.add(t.enroll()); set.add(t.test()); }
        return List.copyOf(set);
    }

    /** Whether a field can name a file on this system (no NUL or other character the file system refuses). */
    private static boolean isPath(String field, List<String> problems) {
        try {
            Path.of(field);
            return true;
        } catch (java.nio.file.InvalidPathException e) {
            problems.add("'" + printable(field) + "' is not a valid path (" + e.getReason() + ")");
            return false;
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> b.append(c >= 32 && c != 127 ? Character.toString(c) : "?"));
        return b.toString();
    }

    /**
     * The lines of a list file: UTF-8 (a byte sequence that is not UTF-8 is an error naming the line), a leading
     * byte-order mark dropped (editors on Windows write one; kept, it would become part of the first speaker's id).
     */
    static List<String> lines(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new IOException(file + ": is a directory, not a list file");
        if (!Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "list file not found");
        byte[] bytes = Files.readAllBytes(file);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer text = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult r = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(in, text, true);
        if (r.isError()) {
            int at = in.position(), line = 1;
            for (int i = 0; i < at; i++) if (bytes[i] == '\n') line++;
            throw new ListFormatException(List.of(file + ":" + line + ": not UTF-8 text (byte " + at + "); lists are UTF-8 text files"));
        }
        text.flip();
        String s = text.toString();
        if (s.startsWith("\uFEFF")) s = s.substring(1);
        return s.lines().toList();
    }

    private static void parse(Path file, int fields, String format, BiConsumer<String[], List<String>> line) throws IOException {
        List<String> lines = lines(file);
        List<String> problems = new ArrayList<>();
        int bad = 0;
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) continue;
            String[] f = text.split("\\s+");
            List<String> lineProblems = new ArrayList<>();
            if (f.length != fields) lineProblems.add("expected " + fields + (fields == 1 ? " field" : " fields") + " '" + format + "', found " + f.length + ": '" + text + "'");
            else line.accept(f, lineProblems);
            for (String p : lineProblems) if (bad++ < MAX_REPORTED) problems.add(file + ":" + (i + 1) + ": " + p);
        }
        if (bad > MAX_REPORTED) problems.add("... and " + (bad - MAX_REPORTED) + " more");
        if (!problems.isEmpty()) throw new ListFormatException(problems);
        if (lines.stream().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) throw new ListFormatException(List.of(file + ": the list has no entries"));
    }
}
