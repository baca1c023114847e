package org.voxkd.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.voxkd.data.DatasetHash;

/**
 * The identity of the code that computes a run's numbers: the SHA-256 over the relative path and content hash
 * of every source file a training run executes — {@code pom.xml} (dependency versions: the OpenBLAS build
 * changes bits), {@code tornado-kernels/} and {@code src/main/} — except the packages that only present or
 * package results and never run inside a training run ({@link #EXCLUDED}; the deployment study, which runs model export
 * after training, keys its results by {@link #ofExport} instead). Documentation, tests and results
 * are outside it, so a README edit keeps every run id, while any kernel edit — committed or not — changes it.
 * It is computed from the files themselves, the same in a git checkout, a dirty tree or an unpacked tarball.
 *
 * <p>The build writes the fingerprint of the sources it compiled into the jar ({@value #RESOURCE}); a run
 * refuses to start when the jar and the source tree disagree (a stale build), since the ledger would then
 * credit the numbers to code that did not make them.
 */
public final class CodeFingerprint {
    /** Roots of the fingerprinted tree, relative to the project root. */
    public static final List<String> INCLUDED = List.of("pom.xml", "tornado-kernels/", "src/main/");
    /**
     * Never on a training run's path: the report generator, command-line front ends, benchmarks, model export, and the
     * Slurm submitter (a job trains through the pipeline's RunJob, which is fingerprinted; how it got queued is not).
     */
    public static final List<String> EXCLUDED = List.of("src/main/java/org/voxkd/report/", "src/main/java/org/voxkd/cli/",
            "src/main/java/org/voxkd/bench/", "src/main/java/org/voxkd/export/", "src/main/proto/", "src/main/java/org/voxkd/slurm/",
            "src/main/resources/report/");
    static final String RESOURCE = "/voxkd-fingerprint.txt";

    private CodeFingerprint() {}

    /** The fingerprint of the sources under {@code root}; an error when root holds no voxkd sources. */
    public static String of(Path root) throws IOException {
        return of(root, CodeFingerprint::included);
    }

    /** The sources of model export (the deployment study's code, kept apart from the runs' fingerprint). */
    public static String ofExport(Path root) throws IOException {
        return of(root, rel -> rel.equals("pom.xml") || rel.startsWith("src/main/java/org/voxkd/export/") || rel.startsWith("src/main/proto/"));
    }

    private static String of(Path root, java.util.function.Predicate<String> scope) throws IOException {
        Path r = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(r.resolve("src/main")) || !Files.isRegularFile(r.resolve("pom.xml")))
            throw new IOException("cannot fingerprint the code: " + r + " holds no voxkd sources (src/main, pom.xml); run from the project root or pass --root");
        List<Path> files;
        try (Stream<Path> s = Files.walk(r)) {
            files = s.filter(Files::isRegularFile).filter(p -> scope.test(r.relativize(p).toString().replace('\\', '/'))).sorted().toList();
        }
        StringBuilder key = new StringBuilder("voxkd code fingerprint 1\n");
        for (Path f : files) key.append(r.relativize(f).toString().replace('\\', '/')).append('\0').append(DatasetHash.sha256(f)).append('\n');
        return DatasetHash.sha256(key.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    static boolean included(String rel) {
        boolean in = INCLUDED.stream().anyMatch(p -> p.endsWith("/") ? rel.startsWith(p) : rel.equals(p));
        return in && EXCLUDED.stream().noneMatch(rel::startsWith);
    }

    /** The fingerprint the running jar was built from, or null when the build did not record one (e.g. an IDE build). */
    public static String built() {
        try (InputStream in = CodeFingerprint.class.getResourceAsStream(RESOURCE)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** The fingerprint of the tree at root, checked against the running build. */
    public static String checked(Path root) throws IOException {
        String tree = of(root), jar = built();
        if (jar != null && !jar.equals(tree))
            throw new IOException("the running voxkd was built from other sources (fingerprint " + jar + ") than the tree at " + root.toAbsolutePath().normalize()
                    + " (" + tree + "): rebuild (make build) so that the ledger credits numbers to the code that made them");
        return tree;
    }

    /** Build step: {@code CodeFingerprint ROOT OUT} writes the fingerprint of ROOT's sources to OUT. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) throw new IllegalArgumentException("usage: CodeFingerprint ROOT OUT");
        Path out = Path.of(args[1]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, of(Path.of(args[0])) + "\n", StandardCharsets.UTF_8);
    }
}
