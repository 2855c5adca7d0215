package dev.jnydus.cache.file;

import dev.jnydus.cache.device.ChunkInfo;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache file, sparse and pre-sized as upstream's: {@code <blob_id>.blob.data} holds every chunk
 * uncompressed at its uncompressed offset; {@code <blob_id>.blob.raw} ({@code compressed = true})
 * holds the stored bytes at their compressed offsets and is decompressed on every cache read.
 */
final class FileChunkStore implements ChunkStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileChunkStore.class);

    static final String DATA_SUFFIX = ".blob.data";
    static final String RAW_SUFFIX = ".blob.raw";

    private final Path path;
    private final FileChannel channel;
    private final boolean raw;

    private FileChunkStore(Path path, FileChannel channel, boolean raw) {
        this.path = path;
        this.channel = channel;
        this.raw = raw;
    }

    /** Opens or creates the file and extends it to {@code size} when shorter (as upstream). */
    static FileChunkStore open(Path path, boolean raw, long size) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        try {
            if (size > 0 && ch.size() < size) {
                // Writing the last byte extends the file sparsely.
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
            return new FileChunkStore(path, ch, raw);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public boolean storesCompressed() {
        return raw;
    }

    @Override
    public void readSlice(ChunkInfo c, int offset, ByteBuffer dst) throws IOException {
        if (raw) {
            throw new IllegalStateException("slices cannot be read from a compressed cache file");
        }
        readFully(dst, c.uncompressedOffset() + offset);
    }

    @Override
    public byte[] readStored(ChunkInfo c) throws IOException {
        int len = raw ? c.compressedSize() : c.uncompressedSize();
        long pos = raw ? c.compressedOffset() : c.uncompressedOffset();
        byte[] out = new byte[len];
        readFully(ByteBuffer.wrap(out), pos);
        return out;
    }

    private void readFully(ByteBuffer dst, long pos) throws IOException {
        long p = pos;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, p);
            if (n < 0) {
                throw new EOFException("cache file " + path + " ends at " + p);
            }
            p += n;
        }
    }

    @Override
    public void write(ChunkInfo c, byte[] uncompressed, byte[] stored, int off) throws IOException {
        ByteBuffer src = raw ? ByteBuffer.wrap(stored, off, c.compressedSize()) : ByteBuffer.wrap(uncompressed);
        long p = raw ? c.compressedOffset() : c.uncompressedOffset();
        while (src.hasRemaining()) {
            p += channel.write(src, p);
        }
    }

    @Override
    public long footprint(ChunkInfo c) {
        return raw ? c.compressedSize() : c.uncompressedSize();
    }

    @Override
    public long end(ChunkInfo c) {
        return raw ? c.compressedEnd() : c.uncompressedEnd();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", path, e.toString());
        }
    }
}
