package dev.jnydus.daemon;

import dev.jnydus.config.ConfigException;
import dev.jnydus.config.NydusConfig;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.StartupException;
import java.util.List;
import java.util.Set;

/**
 * Opens the images of API mounts: {@code fs_type} "rafs" with its configuration document (any
 * format) and optional prefetch list, checked as upstream's fs_backend_factory checks them.
 */
final class RafsImageOpener implements ImageOpener {
    private static final Set<String> PASSTHROUGH = Set.of("passthrough", "passthroughfs", "passthrough_fs");

    private final int uid;
    private final int gid;

    RafsImageOpener(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
    }

    @Override
    public MountedImage open(String mountpoint, MountCommand cmd) throws DaemonException {
        if (PASSTHROUGH.contains(cmd.fsType())) {
            throw DaemonException.unsupported("passthrough filesystems are not supported by this nydusd");
        }
        if (!MountCommand.RAFS.equals(cmd.fsType())) {
            throw DaemonException.other("invalid argument `only 'rafs' and 'passthrough_fs' are supported, but '"
                    + cmd.fsType() + "' was specified`");
        }
        for (String f : cmd.prefetchFiles().orElse(List.of())) {
            if (!f.startsWith("/")) {
                throw DaemonException.other("invalid prefetch file list: " + f + " is not an absolute path");
            }
        }
        NydusConfig config;
        try {
            config = NydusConfig.parse(cmd.config());
        } catch (ConfigException e) {
            throw DaemonException.other("invalid configuration, " + e.getMessage(), e);
        }
        try {
            return RafsInstance.open(new RafsMount(cmd.source(), config, cmd.prefetchFiles(), mountpoint), uid, gid);
        } catch (StartupException e) {
            throw DaemonException.other(e.getMessage(), e);
        }
    }
}
