package org.voxkd.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.voxkd.audio.Augment;

/**
 * The data-set hash recorded in the ledger: SHA-256 over the text
 * {@code "voxkd-dataset-v1\n"}, then {@code "list NAME SHA256\n"} for each list file (by its bytes; trial lists in the
 * order given), then
 * {@code "file PATH SHA256\n"} for every distinct referenced path in sorted order. Two data sets hash
 * equal exactly when the lists and every audio file they reference are byte-identical.
 */
public final class DatasetHash {
    private DatasetHash() {}

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest d = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Hash of list files (the training list may be null; trial lists in the order given) and every file they reference under {@code root}. */
    public static String of(Path root, Path trainList, Path... trialLists) throws IOException {
        TreeSet<String> paths = new TreeSet<>();
        if (trainList != null) {
            for (Lists.Utterance u : Lists.readTrainList(trainList)) paths.add(u.path());
        }
        List<String> trialShas = new java.util.ArrayList<>();
        for (Path t : trialLists == null ? new Path[0] : trialLists) {
            if (t == null) continue;
            paths.addAll(Lists.trialPaths(Lists.readTrialList(t)));
            trialShas.add(sha256(t));
        }
        List<String> sorted = List.copyOf(paths);
        String[] hashes = new String[sorted.size()];
        Workers.forEach(sorted.size(), Runtime.getRuntime().availableProcessors(), i -> hashes[i] = sha256(root.resolve(sorted.get(i))));
        Map<String, String> files = new java.util.HashMap<>();
        for (int i = 0; i < hashes.length; i++) files.put(sorted.get(i), hashes[i]);
        return combine(trainList == null ? null : sha256(trainList), trialShas, files);
    }

    /**
     * Hash of every WAV file under a folder (the augmentation sets: MUSAN-style noise, room impulse responses),
     * {@link #combine} over their paths relative to the folder; a folder without WAV files is an error.
     */
    public static String ofFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a directory");
        List<Path> files = Augment.wavFiles(dir);
        if (files.isEmpty()) throw new IOException(dir + ": no .wav files");
        String[] hashes = new String[files.size()];
        Workers.forEach(files.size(), Runtime.getRuntime().availableProcessors(), i -> hashes[i] = sha256(files.get(i)));
        Map<String, String> out = new java.util.HashMap<>();
        for (int i = 0; i < hashes.length; i++) out.put(dir.relativize(files.get(i)).toString().replace('\\', '/'), hashes[i]);
        return combine(null, List.of(), out);
    }

    /** The hash from list hashes (train null = no such list) and the hashes of the referenced files (any order). */
    public static String combine(String trainListSha, List<String> trialListShas, Map<String, String> fileSha) {
        StringBuilder text = new StringBuilder("voxkd-dataset-v1\n");
        if (trainListSha != null) text.append("list train ").append(trainListSha).append('\n');
        for (String t : trialListShas) text.append("list trials ").append(t).append('\n');
        for (String path : new TreeSet<>(fileSha.keySet())) text.append("file ").append(path).append(' ').append(fileSha.get(path)).append('\n');
        return sha256(text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
