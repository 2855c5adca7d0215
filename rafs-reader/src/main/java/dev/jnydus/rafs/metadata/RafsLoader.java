package dev.jnydus.rafs.metadata;

import java.io.IOException;
import java.nio.file.Path;

/** Detects the bootstrap kind and opens it. */
final class RafsLoader {
    private RafsLoader() {
    }

    static RafsSuper open(Path bootstrap) throws IOException {
        throw new RafsFormatException("reader not implemented yet: " + bootstrap);
    }
}
