package dev.jnydus.daemon.upgrade;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One mount of a saved daemon, tagged by {@code type} in the document. A successor restores each
 * entry with the driver its type names; an entry of a type it does not know (written by a later
 * version, or by a driver this build lacks) is kept as {@link Unknown} so that the document can
 * still be read and the refusal can name it.
 */
public sealed interface SavedMount permits SavedMount.Rafs, SavedMount.Unknown {
    /** The entry's {@code type}. */
    String type();

    /** Where the mount is, in the daemon's namespace ("/" or "/&lt;snapshot id&gt;"). */
    String mountpoint();

    /**
     * A RAFS image attached to the daemon's FUSE namespace: the mount command a successor replays
     * (upstream's {@code FsBackendMountCmd}) and the namespace index the kernel's node ids carry.
     *
     * @param fsType the command's {@code fs_type} ("rafs")
     * @param source the bootstrap
     * @param config the configuration document as the mount was given it (any format of spec 2.1)
     * @param prefetchFiles the prefetch list, when one was given
     * @param vfsIndex the top 8 bits of every node id of this mount (1..255)
     */
    record Rafs(String mountpoint, String fsType, String source, String config, Optional<List<String>> prefetchFiles,
                int vfsIndex) implements SavedMount {
        public static final String TYPE = "rafs";

        public Rafs {
            Objects.requireNonNull(mountpoint, "mountpoint");
            Objects.requireNonNull(fsType, "fsType");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(config, "config");
            prefetchFiles = prefetchFiles.map(List::copyOf);
            if (vfsIndex < 1 || vfsIndex > 255) {
                throw new IllegalArgumentException("vfs_index must be 1..255, got " + vfsIndex);
            }
        }

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** An entry of a type this version does not restore, with its JSON text. */
    record Unknown(String type, String mountpoint, String json) implements SavedMount {
        public Unknown {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(mountpoint, "mountpoint");
            Objects.requireNonNull(json, "json");
        }
    }
}
