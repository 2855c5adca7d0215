package dev.jnydus.daemon;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The filesystems one daemon serves, keyed by their mountpoint inside the daemon's namespace
 * ("/" for a dedicated daemon, "/&lt;snapshot id&gt;" in shared mode). The table owns each
 * {@link MountedImage}: an entry removed is an image the caller must close.
 *
 * <p>Changes come from the API dispatcher one at a time; readers (daemon info, metrics) may look
 * at any moment and see a consistent entry.
 */
public final class MountTable {
    /**
     * One mount.
     *
     * @param mountpoint path inside the daemon's namespace
     * @param command how it was made (what a successor replays)
     * @param image what serves it
     * @param mountedTime when it was mounted or last remounted
     * @param vfsIndex its index in the FUSE namespace (the top 8 bits of its node ids), which a
     *     successor must reuse so that the kernel's node ids stay valid; -1 when not in FUSE
     */
    public record Entry(String mountpoint, MountCommand command, MountedImage image, Instant mountedTime,
                        int vfsIndex) {
        public Entry {
            Objects.requireNonNull(mountpoint, "mountpoint");
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(mountedTime, "mountedTime");
        }

        public MountKind kind() {
            return image.kind();
        }
    }

    private final ConcurrentSkipListMap<String, Entry> entries = new ConcurrentSkipListMap<>();

    public Optional<Entry> get(String mountpoint) {
        return Optional.ofNullable(entries.get(mountpoint));
    }

    /** Adds or replaces; returns the entry replaced, whose image the caller closes. */
    public Optional<Entry> put(Entry e) {
        return Optional.ofNullable(entries.put(e.mountpoint(), e));
    }

    /** Removes; the caller closes the returned entry's image. */
    public Optional<Entry> remove(String mountpoint) {
        return Optional.ofNullable(entries.remove(mountpoint));
    }

    /** Every mount, by mountpoint. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }
}
