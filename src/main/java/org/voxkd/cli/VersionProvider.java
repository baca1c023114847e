package org.voxkd.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** `voxkd --version`: the project version, Java runtime and OpenBLAS build. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/voxkd-version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read voxkd-version.properties", e);
        }
        return p.getProperty("voxkd.version", "unknown");
    }

    @Override public String[] getVersion() {
        return new String[] {"voxkd " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
}
