package dev.jnydus.daemon;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.localfs.LocalFsBackend;
import dev.jnydus.config.BackendConfig;
import dev.jnydus.config.LocalFsConfig;
import dev.jnydus.daemon.cli.StartupException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the storage backend a configuration names. Only localfs is wired here; the network
 * backends arrive with the backend module's factory, which this class will delegate to.
 */
final class Backends {
    private Backends() {
    }

    static BlobBackend create(BackendConfig config) throws StartupException {
        if (config instanceof LocalFsConfig l) {
            if (!l.blobFile().isEmpty()) {
                return LocalFsBackend.ofFile(Path.of(l.blobFile()));
            }
            List<Path> alt = new ArrayList<>();
            for (String d : l.altDirs()) {
                alt.add(Path.of(d));
            }
            return LocalFsBackend.ofDirs(Path.of(l.dir()), alt);
        }
        throw new StartupException("backend type '" + config.type() + "' is not supported yet (only localfs)");
    }
}
