package dev.jnydus.daemon;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.config.CacheConfig;
import dev.jnydus.config.ConfigException;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.config.NydusConfig;
import dev.jnydus.fscache.fanotify.FanotifyMetrics;
import dev.jnydus.fscache.fanotify.FanotifyMount;
import dev.jnydus.fscache.fanotify.IoThreads;
import dev.jnydus.rafs.fs.CacheBlobs;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage of an image served in fanotify mode: a {@link RafsInstance} (bootstrap, backend,
 * blob cache and the device over the image's blobs, so the chunk map, validation, amplification,
 * prefetch and backends are those of a FUSE mount), opened with what the kernel's direct reads of
 * the cache need: a blobcache storing chunks uncompressed, no chunk cache in the heap (the page
 * cache holds what readers read), and prefetch workers known to the fanotify server. The device
 * is open before anything is marked, so the cache's descriptors of its data files raise no events.
 */
final class FanotifyInstance implements MountedImage {
    private static final Logger LOG = LoggerFactory.getLogger(FanotifyInstance.class);

    private final RafsInstance rafs;
    private final IoThreads ioThreads;
    private volatile FanotifyMount mount;

    private FanotifyInstance(RafsInstance rafs, IoThreads ioThreads) {
        this.rafs = rafs;
        this.ioThreads = ioThreads;
    }

    /** @param uid owner of inodes when the image has none (unused by EROFS, which shows the image's) */
    static FanotifyInstance open(RafsMount mount, int uid, int gid) throws StartupException {
        CacheConfig cache;
        try {
            cache = mount.config().cacheOrThrow();
        } catch (ConfigException e) {
            throw new StartupException(e.getMessage(), e);
        }
        if (cache.kind() != CacheConfig.Kind.FILE_CACHE) {
            throw new StartupException("--fs-driver fanotify needs cache type blobcache (the kernel reads its data "
                    + "files), not " + cache.type());
        }
        if (cache.compressed()) {
            throw new StartupException("--fs-driver fanotify needs an uncompressed blobcache (cache.compressed false): "
                    + "the kernel reads chunks at their uncompressed offsets");
        }
        IoThreads ioThreads = new IoThreads();
        RafsInstance rafs = RafsInstance.open(mount, uid, gid, FanotifyInstance::cacheOptions,
                ioThreads.wrap(CacheFactory.prefetchThreads()));
        try {
            RafsSuper sb = rafs.superblock();
            if (sb.version() != RafsVersion.V6) {
                throw new StartupException("--fs-driver fanotify serves RAFS v6 images; " + mount.bootstrap() + " is "
                        + sb.version());
            }
            if (sb.blockSize() != 4096) {
                throw new StartupException("--fs-driver fanotify needs 4 KiB blocks; " + mount.bootstrap() + " has "
                        + sb.blockSize());
            }
            if (rafs.device() == null) {
                throw new StartupException("--fs-driver fanotify: " + mount.bootstrap() + " has no data blobs");
            }
            return new FanotifyInstance(rafs, ioThreads);
        } catch (StartupException | RuntimeException e) {
            rafs.close();
            throw e;
        }
    }

    /** The cache settings of a fanotify mount: as configured, without a chunk cache in the heap. */
    static CacheOptions cacheOptions(CacheOptions o) {
        return new CacheOptions(o.type(), o.workDir(), o.compressed(), o.digestValidate(), o.amplifyIo(),
                o.prefetch(), o.spaceLimitBytes(), 0);
    }

    BlobDevice device() {
        return rafs.device();
    }

    IoThreads ioThreads() {
        return ioThreads;
    }

    /**
     * The chunks the bootstrap names, by blob: every chunk a file of this image can read, and so
     * all that must be in a blob's file before it counts as complete (a lower layer's blob may
     * hold chunks of files the image deleted).
     */
    Map<Integer, List<ChunkInfo>> readableChunks() throws StartupException {
        RafsSuper sb = rafs.superblock();
        CacheBlobs blobs = new CacheBlobs(sb);
        Map<Integer, List<ChunkInfo>> out = new HashMap<>();
        for (BlobInfo b : device().blobs()) {
            List<ChunkInfo> named = new ArrayList<>();
            try {
                if (sb.chunkRecords(b.index()) < 0) {
                    continue;
                }
                for (int i = 0; i < b.chunkCount(); i++) {
                    ChunkRef r = sb.chunkRecord(b.index(), i);
                    if (r != null) {
                        named.add(blobs.chunk(r));
                    }
                }
            } catch (RafsFormatException e) {
                throw new StartupException("failed to load bootstrap " + rafs.mount().bootstrap() + ": "
                        + e.getMessage(), e);
            }
            if (named.size() < b.chunkCount()) {
                LOG.info("blob {}: the image uses {} of its {} chunks", b.blobId(), named.size(), b.chunkCount());
            }
            out.put(b.index(), named);
        }
        return out;
    }

    /** Records the kernel mount serving this image, for its counters. */
    void servedBy(FanotifyMount m) {
        mount = m;
    }

    /** The counters of the kernel mount serving this image, once mounted. */
    Optional<FanotifyMetrics> fanotifyMetrics() {
        FanotifyMount m = mount;
        return m == null ? Optional.empty() : Optional.of(m.metrics());
    }

    @Override
    public MountKind kind() {
        return MountKind.RAFS_FANOTIFY;
    }

    @Override
    public Optional<NydusConfig> config() {
        return rafs.config();
    }

    @Override
    public Optional<RafsInstance> rafs() {
        return Optional.of(rafs);
    }

    /** The mount-time prefetch, as for FUSE ({@code rafs.prefetch}), once the mount is there. */
    @Override
    public void started() {
        rafs.startPrefetch();
    }

    @Override
    public void close() {
        rafs.close();
    }
}
