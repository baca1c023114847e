package org.voxkd.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.voxkd.io.AtomicFiles;

/**
 * Readers and writers for the list formats: training and trial lists (spec "Data and evaluation"), and plain
 * path lists. Fields are separated by whitespace; blank lines and lines starting with '#' are skipped. Every
 * malformed line is reported, with its number, in one {@link ListFormatException}. Paths are kept as written
 * (relative to a data root).
 *
 * <p><b>One quoting rule</b> for every list voxkd writes and reads (training, trial, path and score lists): a field
 * that is empty, holds whitespace or a double quote, or starts with '#' is written in double quotes, with {@code \"}
 * for a quote and {@code \\} for a backslash inside them ({@link #quote}); every other field is written bare. Readers
 * split a line the same way ({@link #fields}), so a path with spaces round-trips, and the official VoxCeleb lists (bare
 * fields) read unchanged. Outside quotes a backslash is an ordinary character (a bare Windows path stays as written).
 */
public final class Lists {
    private Lists() {}

    /** Stop collecting after this many problems (the message says how many more there were). */
    static final int MAX_REPORTED = 100_000; // kept for the message's file; the message itself shows the first few

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

    /** Writes a training list atomically (a reader never sees half a list), fields quoted by the one rule. */
    public static void writeTrainList(Path file, List<Utterance> list) throws IOException {
        AtomicFiles.writeString(file, trainListText(list));
    }

    public static String trainListText(List<Utterance> list) {
        StringBuilder s = new StringBuilder();
        for (Utterance u : list) s.append(line(u.speaker(), u.path()));
        return s.toString();
    }

    /** Writes a trial list atomically, fields quoted by the one rule. */
    public static void writeTrialList(Path file, List<Trial> list) throws IOException {
        AtomicFiles.writeString(file, trialListText(list));
    }

    public static String trialListText(List<Trial> list) {
        StringBuilder s = new StringBuilder();
        for (Trial t : list) s.append(line(Integer.toString(t.label()), t.enroll(), t.test()));
        return s.toString();
    }

    /** One list line: the fields quoted by the one rule, separated by single spaces, ending in a newline. */
    public static String line(String... fields) {
        StringBuilder b = new StringBuilder();
        for (String f : fields) {
            if (!b.isEmpty()) b.append(' ');
            b.append(quote(f));
        }
        return b.append('\n').toString();
    }

    /**
     * A field as lists write it: bare when it is non-empty, holds no whitespace or double quote and does not start with
     * '#'; else in double quotes with {@code "} and {@code \} escaped by a backslash. A line break cannot be written in a
     * line-based list: an error naming the field.
     */
    public static String quote(String field) {
        if (field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0)
            throw new IllegalArgumentException("'" + printable(field) + "' holds a line break: it cannot be written in a list (one entry per line)");
        boolean bare = !field.isEmpty() && !field.startsWith("#");
        for (int i = 0; bare && i < field.length(); i++) {
            char c = field.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '"') bare = false;
        }
        if (bare) return field;
        StringBuilder b = new StringBuilder(field.length() + 2).append('"');
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '"' || c == '\\') b.append('\\');
            b.append(c);
        }
        return b.append('"').toString();
    }

    /**
     * The fields of one list line by the one rule: separated by whitespace; a field starting with a double quote runs to
     * the matching quote ({@code \"} and {@code \\} escape inside it) and must be followed by whitespace or the end.
     * A malformed line is an {@link IllegalArgumentException} saying why.
     */
    public static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        int i = 0, n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) i++;
            if (i >= n) return out;
            StringBuilder f = new StringBuilder();
            if (line.charAt(i) == '"') {
                int open = i++;
                boolean closed = false;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '\\' && i < n && (line.charAt(i) == '"' || line.charAt(i) == '\\')) f.append(line.charAt(i++));
                    else if (c == '"') { closed = true; break; }
                    else f.append(c);
                }
                if (!closed) throw new IllegalArgumentException("the quote opened at column " + (open + 1) + " is not closed");
                if (i < n && !Character.isWhitespace(line.charAt(i)))
                    throw new IllegalArgumentException("text right after the closing quote at column " + i + " (separate fields by whitespace)");
            } else {
                while (i < n && !Character.isWhitespace(line.charAt(i))) f.append(line.charAt(i++));
            }
            out.add(f.toString());
        }
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
        s.codePoints().limit(200).forEach(c -> b.append(c >= 32 && c != 127 ? Character.toString(c) : "?"));
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
            List<String> lineProblems = new ArrayList<>();
            String[] f = null;
            try {
                f = fields(text).toArray(String[]::new);
            } catch (IllegalArgumentException e) {
                lineProblems.add(e.getMessage() + ": '" + printable(text) + "'");
            }
            if (f != null && f.length != fields)
                lineProblems.add("expected " + fields + (fields == 1 ? " field" : " fields") + " '" + format + "', found " + f.length + ": '" + printable(text) + "'"
                        + (f.length > fields && text.indexOf('"') < 0 ? " (a path with spaces goes in double quotes: \"my file.wav\")" : ""));
            else if (f != null) line.accept(f, lineProblems);
            for (String p : lineProblems) if (bad++ < MAX_REPORTED) problems.add(file + ":" + (i + 1) + ": " + p);
        }
        if (!problems.isEmpty()) throw new ListFormatException(bad, problems);
        if (lines.stream().allMatch(l -> l.isBlank() || l.strip().startsWith("#")))
            throw new ListFormatException(file + ": the list has no entries (only blank lines or comments)");
    }
}
