package org.voxkd.audio;

import java.io.IOException;
import java.nio.file.Path;

/** A WAV file voxkd cannot use; the message names the file and the problem. */
public final class WavException extends IOException {
    private final transient Path file;

    public WavException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
