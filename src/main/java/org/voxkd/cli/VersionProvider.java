package org.voxkd.cli;

import org.voxkd.ledger.Version;
import picocli.CommandLine;

/** `voxkd --version`: the project version and the Java runtime (version, vendor, java.home). */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
        // java.home says which runtime runs voxkd: a JDK on this machine, or the GPU bundle's own (make gpu-bundle).
        String bundle = System.getProperty("voxkd.bundle");
        return new String[] {"voxkd " + Version.version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                "java.home " + System.getProperty("java.home") + (bundle == null ? "" : " (runtime of the GPU bundle " + bundle + ")")};
    }
}
