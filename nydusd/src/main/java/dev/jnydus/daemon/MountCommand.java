package dev.jnydus.daemon;

import dev.jnydus.daemon.cli.RafsMount;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a mount was made, kept for as long as it exists: the body of {@code POST /api/v1/mount}
 * (upstream's FsBackendMountCmd), which is also what a successor needs to mount it again after a
 * takeover (spec 4.5), so it holds the configuration as the text it was given.
 *
 * @param fsType "rafs" (upstream also knows the passthrough types)
 * @param source the bootstrap path
 * @param config the configuration document, any format of spec 2.1
 * @param prefetchFiles absolute paths to prefetch, empty when none were given
 */
public record MountCommand(String fsType, String source, String config, Optional<List<String>> prefetchFiles) {
    public static final String RAFS = "rafs";

    /** The command of the RAFS image given on the daemon's command line ({@code --bootstrap}). */
    public static MountCommand of(RafsMount m) {
        return new MountCommand(RAFS, m.bootstrap(), m.config().toJson(), m.prefetchFiles());
    }

    public MountCommand {
        Objects.requireNonNull(fsType, "fsType");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(config, "config");
        prefetchFiles = prefetchFiles.map(List::copyOf);
    }
}
