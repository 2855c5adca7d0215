package dev.jnydus.daemon.cli;

import dev.jnydus.config.NydusConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The RAFS filesystem to mount at startup (upstream FsBackendMountCmd with type rafs).
 *
 * @param bootstrap RAFS metadata file, as given
 * @param config validated, IMAGE_PULL_AUTH applied
 * @param prefetchFiles paths from --prefetch-files (trimmed, blank lines dropped); empty when the
 *     option was not given, which is not the same as an empty list
 * @param virtualMountpoint where to attach it inside the FUSE namespace
 */
public record RafsMount(String bootstrap, NydusConfig config, Optional<List<String>> prefetchFiles,
                        String virtualMountpoint) {
    public RafsMount {
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(config, "config");
        prefetchFiles = prefetchFiles.map(List::copyOf);
        Objects.requireNonNull(virtualMountpoint, "virtualMountpoint");
    }
}
