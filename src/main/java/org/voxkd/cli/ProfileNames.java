package org.voxkd.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The profiles `voxkd reproduce --profile` accepts, listed from the profiles folder itself (experiments/profiles/*.yaml
 * under the working directory, else beside the jar's checkout) so that help never falls behind a new profile.
 */
public final class ProfileNames implements Iterable<String> {
    @Override public Iterator<String> iterator() {
        return names().iterator();
    }

    static List<String> names() {
        for (Path dir : candidates()) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                List<String> n = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml")).map(f -> f.substring(0, f.length() - 5)).sorted().toList();
                if (!n.isEmpty()) return n;
            } catch (java.io.IOException | RuntimeException e) {
                // unreadable: try the next place
            }
        }
        return List.of("(none found: no experiments/profiles folder here)");
    }

    private static List<Path> candidates() {
        Path here = Path.of("experiments", "profiles");
        try {
            Path jar = Path.of(ProfileNames.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path checkout = jar.getParent() == null ? null : jar.getParent().getParent(); // target/voxkd.jar or target/classes
            if (checkout != null) return List.of(here, checkout.resolve("experiments").resolve("profiles"));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // no code source (an unusual class loader): the working directory only
        }
        return List.of(here);
    }
}
