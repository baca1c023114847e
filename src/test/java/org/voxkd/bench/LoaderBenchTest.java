package org.voxkd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.voxkd.cli.Main;
import org.voxkd.data.SmokeCorpus;
import picocli.CommandLine;

/** `voxkd bench loader` at toy sizes on the smoke corpus: both figures print, and the verdict follows from them. */
class LoaderBenchTest {
    private static double figure(String text, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "\\s+([0-9.]+) samples/s").matcher(text);
        assertTrue(m.find(), label + " missing in\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void printsLoaderAndStepRatesAndAVerdict() {
        var corpus = SmokeCorpus.get();
        for (double rate : new double[] {0.5, 1e9}) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int rc = cl.execute("bench", "loader", "--list", corpus.trainList().toString(), "--root", corpus.wavRoot().toString(), "--batch", "4",
                    "--frames", "20", "--batches", "2", "--step-rate", Double.toString(rate));
            assertEquals(0, rc, err.toString());
            String text = out.toString();
            double one = figure(text, "caller thread only:"), many = figure(text, "2 background threads:");
            assertTrue(one > 0 && many > 0, text);
            assertEquals(rate, figure(text, "training step consumes:"), 1e-9 * rate);
            assertTrue(text.contains(rate < 1 ? "loading keeps up: yes" : "loading keeps up: NO"), text);
            assertTrue(text.contains(rate < 1 ? "feature cache: not needed" : "feature cache: needed"), text);
        }
    }
}
