package dev.jnydus.fscache;

import dev.jnydus.fscache.cachefiles.CacheObjectFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bootstrap as a cache object: the file itself. EROFS reads the superblock, inodes, directories
 * and inline data from it. After {@code copen} the whole file is copied in the background (as
 * upstream; retried 3 times, 2 s apart); READs that come first are served from the file directly.
 */
final class BootstrapObject extends CacheObject {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapObject.class);
    private static final int PIECE = 1 << 20;
    private static final int COPY_TRIES = 3;
    private static final long COPY_RETRY_MILLIS = 2000;

    private final Path path;
    private final FileChannel source;
    private final long size;
    private final Executor background;

    private BootstrapObject(int objectId, String key, CacheObjectFile file, Path path, FileChannel source, long size,
                            Executor background) {
        super(objectId, key, file);
        this.path = path;
        this.source = source;
        this.size = size;
        this.background = background;
    }

    static BootstrapObject open(int objectId, String key, CacheObjectFile file, Path path, Executor background)
            throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new BootstrapObject(objectId, key, file, path, ch, ch.size(), background);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    long size() {
        return size;
    }

    @Override
    void fill(long offset, long length) throws IOException {
        long start = offset & -CacheObjectFile.BLOCK;
        long end = Math.min(size, offset + length);
        for (long pos = start; pos < end; pos += PIECE) {
            int n = (int) Math.min(PIECE, end - pos);
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                if (source.read(buf, pos + buf.position()) < 0) {
                    throw new EOFException("bootstrap " + path + " ends at " + (pos + buf.position())
                            + ", announced " + size + " bytes");
                }
            }
            file.write(pos, buf.flip());
        }
    }

    @Override
    void started() {
        if (!acquire()) {
            return;
        }
        background.execute(() -> {
            try {
                copy();
            } finally {
                release();
            }
        });
    }

    private void copy() {
        for (int attempt = 1; attempt <= COPY_TRIES && !isClosing(); attempt++) {
            try {
                fill(0, size);
                LOG.debug("fscache: bootstrap {} copied into object {} ({} bytes)", key, objectId, size);
                return;
            } catch (IOException e) {
                LOG.warn("fscache: copying bootstrap {} into object {} failed (attempt {} of {}): {}", key, objectId,
                        attempt, COPY_TRIES, e.getMessage());
                if (attempt < COPY_TRIES && !pause(COPY_RETRY_MILLIS)) {
                    return;
                }
            }
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    void onClose() {
        try {
            source.close();
        } catch (IOException e) {
            LOG.debug("fscache: closing {}: {}", path, e.toString());
        }
    }
}
