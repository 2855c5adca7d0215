package dev.jnydus.fscache.fanotify;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.rafs.fs.CacheBlobs;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.sys.MountInfo;
import dev.jnydus.sys.Mounts;
import dev.jnydus.testkit.FlakyBlobBackend;
import dev.jnydus.testkit.InMemoryBlobBackend;
import dev.jnydus.testkit.RecordingBlobBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What a daemon in fanotify mode holds, built the way nydusd builds it: the bootstrap, a backend
 * (here in memory, recording every request, failing on demand), a blob cache over a work_dir on
 * ext4, the device opened over the bootstrap's blobs (before anything is marked), and the
 * {@link FanotifyMount}. {@link #close} unmounts first and never leaves a mount behind.
 */
final class FanotifyStack implements AutoCloseable {
    final RafsSuper sb;
    final FlakyBlobBackend flaky;
    final RecordingBlobBackend backend;
    final CacheManager cache;
    final BlobDevice device;
    final IoThreads ioThreads = new IoThreads();
    final Path mountpoint;
    FanotifyMount mount;

    private FanotifyStack(Path boot, Map<String, byte[]> blobs, Path workDir, Path mountpoint) throws IOException {
        this.sb = RafsSuper.open(boot);
        InMemoryBlobBackend mem = new InMemoryBlobBackend();
        blobs.forEach(mem::put);
        this.flaky = new FlakyBlobBackend(mem);
        this.backend = new RecordingBlobBackend(flaky);
        this.cache = CacheFactory.builder(CacheOptions.builder(CacheType.BLOBCACHE).workDir(workDir).build(), backend)
                .threadFactory(ioThreads.wrap(r -> {
                    Thread t = new Thread(r, "test-prefetch");
                    t.setDaemon(true);
                    return t;
                })).build();
        this.device = cache.open(new CacheBlobs(sb).blobs());
        this.mountpoint = mountpoint;
    }

    /** Opens the storage without mounting (a daemon about to take over). */
    static FanotifyStack open(Path boot, Map<String, byte[]> blobs, Path workDir, Path mountpoint) throws IOException {
        return new FanotifyStack(boot, blobs, workDir, mountpoint);
    }

    static FanotifyStack start(Path boot, Map<String, byte[]> blobs, Path workDir, Path mountpoint,
                               UnaryOperator<FanotifyMount.Builder> tweak) throws Exception {
        FanotifyStack s = new FanotifyStack(boot, blobs, workDir, mountpoint);
        try {
            s.mount = tweak.apply(s.builder()).start();
            return s;
        } catch (Throwable t) {
            s.close();
            throw t;
        }
    }

    FanotifyMount.Builder builder() {
        return FanotifyMount.builder(sb.path(), device, mountpoint).ioThreads(ioThreads).threads(4);
    }

    @Override
    public void close() throws Exception {
        try {
            if (mount != null) {
                mount.close();
            }
        } finally {
            device.close();
            cache.close();
            sb.close();
            while (isMounted(mountpoint)) {
                Mounts.umount2(mountpoint, Mounts.MNT_DETACH);
            }
        }
    }

    static boolean isMounted(Path mp) throws IOException {
        return MountInfo.read().top(mp.toRealPath()).isPresent();
    }

    static Map<String, byte[]> blobsOf(Path blobDir) throws IOException {
        Map<String, byte[]> out = new java.util.HashMap<>();
        try (var s = Files.list(blobDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }
}
