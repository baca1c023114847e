package org.voxkd.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.audio.Wav;
import org.voxkd.cli.DataCommand;
import picocli.CommandLine;

class ListsTest {
    @TempDir Path dir;

    Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    void wav(String rel, int samples, int rate) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) x[i] = (float) Math.sin(i * 0.1) * 0.5f;
        Wav.write(p, x, rate);
    }

    @Test
    void anEmptyListAndManyBadLinesAreCountedAsTheyAre() throws IOException {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "# only a comment\n\n");
        ListFormatException e = assertThrows(ListFormatException.class, () -> Lists.readTrainList(empty));
        assertTrue(e.getMessage().contains("the list has no entries") && !e.getMessage().contains("malformed"), e.getMessage());
        Path bad = dir.resolve("bad.txt");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 57; i++) b.append("onlyonefield\n");
        Files.writeString(bad, b.toString());
        ListFormatException many = assertThrows(ListFormatException.class, () -> Lists.readTrainList(bad));
        String first = many.getMessage().lines().findFirst().orElse("");
        assertTrue(first.startsWith("57 malformed lines (the full list is in "), first);
        assertEquals(11, many.getMessage().lines().count(), "the count, then the first 10: " + many.getMessage());
        Path full = Path.of(first.substring(first.indexOf(" is in ") + 7, first.indexOf(")")));
        assertEquals(57, Files.readAllLines(full).size(), "every bad line is in the file the message names");
    }

    @Test
    void trainListParsesAndSortsClasses() throws IOException {
        Path p = write("train.txt", "# comment\nid2 id2/v/1.wav\n\nid1 id1/v/1.wav\nid2  id2/v/2.wav\n");
        List<Lists.Utterance> l = Lists.readTrainList(p);
        assertEquals(3, l.size());
        assertEquals(new Lists.Utterance("id2", "id2/v/2.wav"), l.get(2));
        assertEquals(List.of("id1", "id2"), Lists.speakers(l));
    }

    @Test
    void everyBadLineIsReportedWithItsNumber() throws IOException {
        Path p = write("bad.txt", "id1 a.wav\nid1\nid2 b.wav extra\nid3 c.wav\n");
        ListFormatException e = assertThrows(ListFormatException.class, () -> Lists.readTrainList(p));
        assertEquals(2, e.problems().size());
        assertTrue(e.problems().get(0).startsWith(p + ":2: expected 2 fields"), e.getMessage());
        assertTrue(e.problems().get(1).startsWith(p + ":3: expected 2 fields"), e.getMessage());
        Path t = write("trials.txt", "1 a.wav b.wav\n2 a.wav c.wav\n0 a.wav\nyes a b\n");
        ListFormatException te = assertThrows(ListFormatException.class, () -> Lists.readTrialList(t));
        assertEquals(List.of(t + ":2: label must be 0 or 1, got '2'", t + ":3: expected 3 fields 'label path1 path2', found 2: '0 a.wav'",
                t + ":4: label must be 0 or 1, got 'yes'"), te.problems());
        assertThrows(ListFormatException.class, () -> Lists.readTrialList(write("empty.txt", "\n# nothing\n")));
    }

    @Test
    void pathListKeepsOrderAndDuplicatesAndNumbersBadLines() throws IOException {
        Path p = write("paths.txt", "# wavs\nid1/v/1.wav\n\n  id2/v/1.wav  \nid1/v/1.wav\n");
        assertEquals(List.of("id1/v/1.wav", "id2/v/1.wav", "id1/v/1.wav"), Lists.readPathList(p));
        // a training list given by mistake, and a path with a space: both named by line
        Path bad = write("bad-paths.txt", "a.wav\nid1 b.wav\n# ok\nmy file.wav\nc.wav\n");
        ListFormatException e = assertThrows(ListFormatException.class, () -> Lists.readPathList(bad));
        String hint = " (a path with spaces goes in double quotes: \"my file.wav\")";
        assertEquals(List.of(bad + ":2: expected 1 field 'path', found 2: 'id1 b.wav'" + hint, bad + ":4: expected 1 field 'path', found 2: 'my file.wav'" + hint),
                e.problems());
        assertThrows(ListFormatException.class, () -> Lists.readPathList(write("none.txt", "# nothing\n\n")));
    }

    /** A byte-order mark (Windows editors) would otherwise become part of the first speaker's id: one class too many. */
    @Test
    void byteOrderMarkIsDropped() throws IOException {
        Path p = dir.resolve("bom.txt");
        Files.write(p, ("\uFEFFid1 a.wav\nid1 b.wav\nid2 c.wav\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(List.of("id1", "id2"), Lists.speakers(Lists.readTrainList(p)));
        Files.write(p, ("\uFEFF1 a.wav b.wav\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(1, Lists.readTrialList(p).get(0).label());
        Files.write(p, ("\uFEFFa.wav\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(List.of("a.wav"), Lists.readPathList(p));
    }

    @Test
    void bytesThatAreNotTextOrPathsNameTheLine() throws IOException {
        Path p = dir.resolve("latin1.txt");
        Files.write(p, new byte[] {'i', 'd', '1', ' ', 'a', '.', 'w', 'a', 'v', '\n', 'i', 'd', (byte) 0xE9, ' ', 'b', '.', 'w', 'a', 'v', '\n'});
        ListFormatException e = assertThrows(ListFormatException.class, () -> Lists.readTrainList(p));
        assertTrue(e.getMessage().contains(p + ":2: not UTF-8 text"), e.getMessage());
        Files.write(p, "id1 a\u0000.wav\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        e = assertThrows(ListFormatException.class, () -> Lists.readTrainList(p));
        assertTrue(e.getMessage().contains(p + ":1: 'a?.wav' is not a valid path"), e.getMessage());
    }

    /** One quoting rule for every list: what voxkd writes, voxkd reads — spaces, quotes, backslashes, a leading '#'. */
    @Test
    void pathsWithSpacesAndQuotesRoundTripThroughEveryList() throws IOException {
        List<String> odd = List.of("my data/id1/v 1/00001.wav", "a\"quoted\".wav", "back\\slash dir\\x.wav", "#not-a-comment.wav", "tab\there.wav", "plain/x.wav");
        List<Lists.Utterance> train = odd.stream().map(p -> new Lists.Utterance("spk " + p.length(), p)).toList();
        Path tl = dir.resolve("train.txt");
        Lists.writeTrainList(tl, train);
        assertEquals(train, Lists.readTrainList(tl));
        assertTrue(Files.readString(tl).contains("\"my data/id1/v 1/00001.wav\"") && Files.readString(tl).contains("plain/x.wav\n")
                && !Files.readString(tl).contains("\"plain"), Files.readString(tl));
        List<Lists.Trial> trials = List.of(new Lists.Trial(1, odd.get(0), odd.get(1)), new Lists.Trial(0, odd.get(2), odd.get(3)), new Lists.Trial(0, odd.get(4), odd.get(5)));
        Path tr = dir.resolve("trials.txt");
        Lists.writeTrialList(tr, trials);
        assertEquals(trials, Lists.readTrialList(tr));
        Path pl = write("paths.txt", String.join("", odd.stream().map(Lists::line).toList()));
        assertEquals(odd, Lists.readPathList(pl));
        // the official VoxCeleb lists (bare fields) read as before; a bare backslash is an ordinary character
        assertEquals(List.of("1", "id10270/x6uYqmx31kE/00001.wav", "C:\\a.wav"), Lists.fields("1 id10270/x6uYqmx31kE/00001.wav C:\\a.wav"));
        // malformed quoting is named by line
        Path bad = write("bad-quotes.txt", "1 \"a.wav b.wav\n0 \"a\"b c.wav\n");
        ListFormatException e = assertThrows(ListFormatException.class, () -> Lists.readTrialList(bad));
        assertTrue(e.problems().get(0).startsWith(bad + ":1: the quote opened at column 3 is not closed"), e.getMessage());
        assertTrue(e.problems().get(1).startsWith(bad + ":2: text right after the closing quote"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Lists.quote("line\nbreak.wav"));
    }

    @Test
    void trialListRoundTrips() throws IOException {
        List<Lists.Trial> trials = List.of(new Lists.Trial(1, "a/x/1.wav", "a/y/2.wav"), new Lists.Trial(0, "a/x/1.wav", "b/z/1.wav"));
        Path p = dir.resolve("t.txt");
        Lists.writeTrialList(p, trials);
        assertEquals(trials, Lists.readTrialList(p));
        assertEquals(List.of("a/x/1.wav", "a/y/2.wav", "b/z/1.wav"), Lists.trialPaths(trials));
    }

    @Test
    void checkReportsAllMissingAndUnreadableFilesTogether() throws IOException {
        wav("id1/v/1.wav", 1600, 16000);
        wav("id1/v/2.wav", 1600, 8000);
        write("id2/v/1.wav", "not audio at all");
        List<Lists.Utterance> list = List.of(new Lists.Utterance("id1", "id1/v/1.wav"), new Lists.Utterance("id1", "id1/v/2.wav"),
                new Lists.Utterance("id2", "id2/v/1.wav"), new Lists.Utterance("id2", "id2/v/missing.wav"));
        DataCheck.MissingDataException e = assertThrows(DataCheck.MissingDataException.class, () -> DataCheck.checkTrainList(dir, list));
        assertEquals(3, e.problems().size());
        assertTrue(e.getMessage().startsWith("3 of 4 referenced files"), e.getMessage());
        assertTrue(e.problems().get(0).contains("8000 Hz") && e.problems().get(1).contains("not a RIFF/WAVE")
                && e.problems().get(2).contains("no such file"), e.getMessage());
        assertEquals(0.1, DataCheck.checkTrainList(dir, list.subList(0, 1)), 1e-12);
    }

    @Test
    void voxcelebLayoutAndCli() throws IOException {
        wav("root/id10002/vidB/00001.wav", 800, 16000);
        wav("root/id10001/vidA/00002.wav", 800, 16000);
        wav("root/id10001/vidA/00001.wav", 800, 16000);
        write("root/id10001/vidC/00001.m4a", "aac");
        write("root/README.txt", "top-level files are ignored");
        VoxCelebLayout.Scan s = VoxCelebLayout.scan(dir.resolve("root"));
        assertEquals(List.of(new Lists.Utterance("id10001", "id10001/vidA/00001.wav"), new Lists.Utterance("id10001", "id10001/vidA/00002.wav"),
                new Lists.Utterance("id10002", "id10002/vidB/00001.wav")), s.list());
        assertEquals(List.of("id10001/vidC/00001.m4a"), s.skipped());
        assertEquals(List.of("README.txt"), s.otherDepth());
        Path out = dir.resolve("list.txt");
        int rc = new CommandLine(new DataCommand()).execute("voxceleb", "--root", dir.resolve("root").toString(), "--out", out.toString());
        assertEquals(0, rc);
        assertEquals("id10001 id10001/vidA/00001.wav\nid10001 id10001/vidA/00002.wav\nid10002 id10002/vidB/00001.wav\n", Files.readString(out));
        IOException e = assertThrows(IOException.class, () -> VoxCelebLayout.scan(dir.resolve("root/id10001")));
        assertTrue(e.getMessage().contains("no SPEAKER/VIDEO/UTT.wav"), e.getMessage());
    }

    /** Pointed one folder too high: no "rirs" speaker, the deeper utterances reported with the folder meant. */
    @Test
    void voxcelebLayoutReportsOtherDepthsAndNonSpeakerFolders() throws IOException {
        wav("top/wav/id10001/vidA/00001.wav", 800, 16000);
        wav("top/wav/id10001/vidA/00002.wav", 800, 16000);
        wav("top/rirs/small/r1.wav", 800, 16000);
        wav("top/musan/noise/n1.wav", 800, 16000);
        wav("top/id10009/vid x/00001.wav", 800, 16000);
        wav("top/id10009/deeper/still/00001.wav", 800, 16000);
        VoxCelebLayout.Scan s = VoxCelebLayout.scan(dir.resolve("top"));
        assertEquals(List.of(new Lists.Utterance("id10009", "id10009/vid x/00001.wav")), s.list());
        assertEquals(List.of("musan/noise/n1.wav", "rirs/small/r1.wav"), s.notSpeaker());
        assertEquals(List.of("id10009/deeper/still/00001.wav", "wav/id10001/vidA/00001.wav", "wav/id10001/vidA/00002.wav"), s.otherDepth());
        String report = String.join("\n", s.report("wav"));
        assertTrue(report.contains("2 files under a top folder that is not a speaker id") && report.contains("did you mean --root ROOT/wav?")
                && report.contains("3 files not at SPEAKER/VIDEO/UTT depth"), report);
        // the list written with a path holding a space reads back
        Path out = dir.resolve("top-list.txt");
        assertEquals(0, new CommandLine(new DataCommand()).execute("voxceleb", "--root", dir.resolve("top").toString(), "--out", out.toString()));
        assertEquals(s.list(), Lists.readTrainList(out));
        // nothing at the right depth: the error says what was found instead
        IOException e = assertThrows(IOException.class, () -> VoxCelebLayout.scan(dir.resolve("top/wav/..").resolve("rirs")));
        assertTrue(e.getMessage().contains("no SPEAKER/VIDEO/UTT.wav"), e.getMessage());
    }

    @Test
    void datasetHashCoversListsAndFiles() throws IOException {
        wav("d/s1/v/1.wav", 800, 16000);
        wav("d/s2/v/1.wav", 800, 16000);
        Path list = write("d/train.txt", "s1 s1/v/1.wav\ns2 s2/v/1.wav\n");
        Path root = dir.resolve("d");
        String h1 = DatasetHash.of(root, list);
        assertEquals(64, h1.length());
        assertEquals(h1, DatasetHash.of(root, list));
        Files.writeString(list, "s2 s2/v/1.wav\ns1 s1/v/1.wav\n");
        String h2 = DatasetHash.of(root, list);
        assertNotEquals(h1, h2); // list bytes are part of the hash
        wav("d/s1/v/1.wav", 801, 16000);
        assertNotEquals(h2, DatasetHash.of(root, list)); // and so is every file
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", DatasetHash.sha256(new byte[0]));
    }
}
