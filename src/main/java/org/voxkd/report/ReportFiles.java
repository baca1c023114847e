package org.voxkd.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.voxkd.io.AtomicFiles;

/**
 * What a report build may delete: only the files the previous build wrote. Each build lists its files in
 * {@code OUT/.voxkd-report}; the next build removes exactly those (so no stale table survives) and nothing else,
 * whatever else the folder holds. A folder without the list is cleaned the old way (tables, figures, csv, paper by
 * extension) only when it holds a voxkd report ({@code report.md} with its title); any other folder is left alone.
 */
final class ReportFiles {
    static final String MANIFEST = ".voxkd-report";
    static final String TITLE = "# Knowledge distillation into MLP-Mixer students";

    private ReportFiles() {}

    static void cleanPrevious(Path out) throws IOException {
        Path m = out.resolve(MANIFEST);
        Path root = out.toAbsolutePath().normalize();
        if (Files.exists(m)) {
            for (String rel : Files.readAllLines(m, StandardCharsets.UTF_8)) {
                if (rel.isBlank()) continue;
                Path p = root.resolve(rel).normalize();
                if (p.startsWith(root) && !p.equals(root)) Files.deleteIfExists(p); // a hand-edited list cannot reach outside
            }
            return;
        }
        Path report = out.resolve("report.md");
        if (!Files.isRegularFile(report)) return;
        String first;
        try (var r = Files.newBufferedReader(report, StandardCharsets.UTF_8)) {
            first = r.readLine();
        } catch (IOException e) {
            return;
        }
        if (first == null || !first.startsWith(TITLE)) return;
        for (String sub : List.of("tables", "figures", "csv", "paper")) {
            Path dir = out.resolve(sub);
            if (!Files.isDirectory(dir)) continue;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{md,tex,svg,csv}")) {
                for (Path p : ds) Files.delete(p);
            }
        }
    }

    static void remember(Path out, List<String> written) throws IOException {
        AtomicFiles.writeString(out.resolve(MANIFEST), String.join("\n", written) + "\n");
    }
}
