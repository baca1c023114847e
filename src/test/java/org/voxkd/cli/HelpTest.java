package org.voxkd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The help a user reads: every option explained, every command's summary a whole sentence, every profile listed. */
class HelpTest {
    /** Owned by the data-list work (issue 24): its help is written there. */
    static final List<String> ELSEWHERE = List.of("voxkd data voxceleb");

    static void walk(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        cl.getSubcommands().values().forEach(c -> walk(c, out));
    }

    @Test void everyOptionHasHelpAndEverySummaryIsASentence() {
        List<CommandLine> all = new ArrayList<>();
        walk(Main.commandLine(), all);
        List<String> missing = new ArrayList<>(), cut = new ArrayList<>();
        for (CommandLine cl : all) {
            CommandSpec spec = cl.getCommandSpec();
            if (ELSEWHERE.contains(spec.qualifiedName())) continue;
            for (OptionSpec o : spec.options())
                if (o.description().length == 0 || String.join("", o.description()).isBlank()) missing.add(spec.qualifiedName() + " " + o.longestName());
            String[] d = spec.usageMessage().description();
            // the first line is what `voxkd --help` lists for the command: it must not stop mid-sentence
            if (d.length > 0 && !d[0].strip().matches("(?s).*[.)]$")) cut.add(spec.qualifiedName() + ": " + d[0]);
        }
        assertTrue(missing.isEmpty(), "options without help text: " + missing);
        assertTrue(cut.isEmpty(), "summaries that end mid-sentence: " + cut);
    }

    @Test void reproduceHelpListsEveryProfile() throws IOException {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("reproduce", "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        List<String> profiles;
        try (Stream<Path> s = Files.list(Path.of("experiments/profiles"))) {
            profiles = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        }
        assertTrue(profiles.size() >= 5, profiles.toString());
        for (String p : profiles) assertTrue(help.contains(p), "reproduce --help does not list profile " + p + ": " + help);
    }
}
