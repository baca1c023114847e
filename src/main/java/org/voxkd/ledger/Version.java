package org.voxkd.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** voxkd's version (from the build's voxkd-version.properties), as records, exports and `voxkd --version` state it. */
public final class Version {
    private Version() {}

    public static String version() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/voxkd-version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read voxkd-version.properties", e);
        }
        return p.getProperty("voxkd.version", "unknown");
    }
}
