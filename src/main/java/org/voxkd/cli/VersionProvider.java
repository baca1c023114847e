package org.voxkd.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** `voxkd --version`: the project version and the Java runtime (version, vendor, java.home). */
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
        // java.home says which runtime runs voxkd: a JDK on this machine, or the GPU bundle's own (make gpu-bundle).
        String bundle = System.getProperty("voxkd.bundle");
        return new String[] {"voxkd " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                "java.home " + System.getProperty("java.home") + (bundle == null ? "" : " (runtime of the GPU bundle " + bundle + ")")};
    }
}
