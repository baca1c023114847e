package org.voxkd.cli;

import org.voxkd.ledger.Version;
import picocli.CommandLine;

/** `voxkd --version`: the project version and the Java runtime. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
        return new String[] {"voxkd " + Version.version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
}
