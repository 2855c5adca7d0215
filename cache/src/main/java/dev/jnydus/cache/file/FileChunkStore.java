package dev.jnydus.cache.file;

import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.sys.PositionalFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A cache file, sparse and pre-sized as upstream's: {@code <blob_id>.blob.data} holds every chunk
 * uncompressed at its uncompressed offset; {@code <blob_id>.blob.raw} ({@code compressed = true})
 * holds the stored bytes at their compressed offsets and is decompressed on every cache read.
 *
 * <p>The file is read and written with positional syscalls ({@link PositionalFile}), never
 * through a {@code FileChannel}: an interrupt of one reader or prefetch worker must not close the
 * file under every other reader of the blob.
 */
final class FileChunkStore implements ChunkStore {
    static final String DATA_SUFFIX = ".blob.data";
    static final String RAW_SUFFIX = ".blob.raw";

    private final PositionalFile file;
    private final boolean raw;

    private FileChunkStore(PositionalFile file, boolean raw) {
        this.file = file;
        this.raw = raw;
    }

    /** Opens or creates the file and extends it (sparsely) to {@code size} when shorter, as upstream. */
    static FileChunkStore open(Path path, boolean raw, long size) throws IOException {
        PositionalFile f = PositionalFile.openOrCreate(path);
        try {
            if (size > 0) {
                f.extendTo(size);
            }
            return new FileChunkStore(f, raw);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public long size() throws IOException {
        return file.size();
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
        int want = dst.remaining();
        if (file.read(dst, pos) < want) {
            throw new EOFException("cache file " + file.path() + " ends before " + (pos + want));
        }
    }

    @Override
    public void write(ChunkInfo c, byte[] uncompressed, byte[] stored, int off) throws IOException {
        ByteBuffer src = raw ? ByteBuffer.wrap(stored, off, c.compressedSize()) : ByteBuffer.wrap(uncompressed);
        file.write(src, raw ? c.compressedOffset() : c.uncompressedOffset());
    }

    @Override
    public void sync() throws IOException {
        file.syncData();
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
        file.close();
    }
}
