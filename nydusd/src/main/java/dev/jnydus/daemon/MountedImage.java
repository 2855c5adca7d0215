package dev.jnydus.daemon;

import dev.jnydus.config.NydusConfig;
import dev.jnydus.fuse.api.FileSystem;
import java.util.Optional;

/**
 * One mounted filesystem that the {@link MountTable} owns: closing it releases everything it
 * holds (bootstrap, backend, cache, threads). Implemented by {@link RafsInstance} and, for the
 * fanotify driver, {@link FanotifyInstance}.
 */
public interface MountedImage extends AutoCloseable {
    MountKind kind();

    /** The configuration it runs with (credentials included; callers redact), if it has one. */
    Optional<NydusConfig> config();

    /** For kinds served through the daemon's FUSE namespace: the filesystem and its root inode. */
    default Optional<FuseBackend> fuseBackend() {
        return Optional.empty();
    }

    /** A filesystem to attach to the FUSE namespace. */
    record FuseBackend(FileSystem fs, long rootIno) {
    }

    /** The RAFS instance behind it (bootstrap, backend, cache and their metrics), if it has one. */
    default Optional<RafsInstance> rafs() {
        return Optional.empty();
    }

    /** Starts work that runs after the mount is visible (the mount-time prefetch). */
    default void started() {
    }

    @Override
    void close();
}
