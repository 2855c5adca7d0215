package dev.jnydus.fscache.cachefiles;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.WorkingDirectory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes a blob's cache files from the kernel's cache ({@code DELETE /api/v2/blobs?blob_id=},
 * upstream's {@code cull_cache}). cachefiles addresses {@code cull} and {@code inuse} relative to the
 * daemon's working directory, so for each EROFS volume that has a file for the cookie this changes
 * into its fan-out directory, asks {@code inuse} (EBUSY: still mounted, skipped) and {@code cull}s,
 * then changes back. The working directory is the process's: culls are serialised here, and nothing
 * else in the daemon depends on it.
 */
public final class CacheCuller {
    private static final Object CWD = new Object();
    static final String VOLUME_PREFIX = "Ierofs,";

    private CacheCuller() {
    }

    /**
     * What a cull did.
     *
     * @param culled files moved to the graveyard
     * @param inUse files skipped because a mount uses them
     */
    public record Result(List<Path> culled, List<Path> inUse) {
        public Result {
            culled = List.copyOf(culled);
            inUse = List.copyOf(inUse);
        }
    }

    /** Culls the files of {@code cookie} (a blob id) in every EROFS volume under {@code fscacheDir}. */
    public static Result cull(CachefilesChannel channel, Path fscacheDir, String cookie) throws IOException {
        String name = "D" + cookie;
        List<Path> culled = new ArrayList<>();
        List<Path> inUse = new ArrayList<>();
        Path cache = fscacheDir.resolve("cache");
        if (!Files.isDirectory(cache)) {
            return new Result(culled, inUse);
        }
        try (DirectoryStream<Path> volumes = Files.newDirectoryStream(cache, VOLUME_PREFIX + "*")) {
            for (Path volume : volumes) {
                String volumeKey = volume.getFileName().toString().substring(1);
                Path dir = volume.resolve(CookieHash.fanOutDir(volumeKey, cookie));
                Path file = dir.resolve(name);
                if (!Files.exists(file)) {
                    continue;
                }
                if (cullIn(channel, dir, name)) {
                    culled.add(file);
                } else {
                    inUse.add(file);
                }
            }
        }
        return new Result(culled, inUse);
    }

    private static boolean cullIn(CachefilesChannel channel, Path dir, String name) throws FsException {
        synchronized (CWD) {
            try (Fd saved = WorkingDirectory.open()) {
                WorkingDirectory.change(dir);
                try {
                    try {
                        channel.command(Commands.inuse(name));
                    } catch (FsException e) {
                        if (e.errno() == Errno.EBUSY) {
                            return false;
                        }
                        throw e;
                    }
                    channel.command(Commands.cull(name));
                    return true;
                } finally {
                    WorkingDirectory.change(saved);
                }
            }
        }
    }
}
