package dev.jnydus.builder.check;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads file bytes straight from the blobs, with no cache: each chunk is fetched, decompressed and
 * (when the image stores digests) verified before any of its bytes are handed out. Not
 * thread-safe; one per checking thread.
 */
public final class FileDataReader implements AutoCloseable {
    private final RafsSuper sb;
    private final BlobBackend backend;
    private final Map<Integer, BlobReader> readers = new HashMap<>();
    private long chunksVerified;

    public FileDataReader(RafsSuper sb, BlobBackend backend) {
        this.sb = sb;
        this.backend = backend;
    }

    /** Number of chunk digests checked so far. */
    public long chunksVerified() {
        return chunksVerified;
    }

    /** Fills {@code dst} from {@code offset} of a regular file; stops at the end of the file. */
    public void read(RafsInode inode, long offset, ByteBuffer dst) throws IOException {
        long end = Math.min(inode.size(), offset + dst.remaining());
        if (offset >= end) {
            return;
        }
        List<FileExtent> extents = inode.extents(offset, end - offset);
        long pos = offset;
        for (FileExtent e : extents) {
            long from = Math.max(pos, e.fileOffset());
            long to = Math.min(end, e.fileOffset() + e.length());
            if (from > pos || to <= from) {
                throw new BackendException("inode " + inode.ino() + ": extents leave a gap at " + pos);
            }
            int n = (int) (to - from);
            if (e instanceof FileExtent.Hole) {
                for (int i = 0; i < n; i++) {
                    dst.put((byte) 0);
                }
            } else if (e instanceof FileExtent.Inline in) {
                ByteBuffer slice = dst.slice(dst.position(), n);
                sb.readBootstrap(in.bootstrapOffset() + (from - in.fileOffset()), slice);
                dst.position(dst.position() + n);
            } else if (e instanceof FileExtent.Chunk c) {
                byte[] data = chunk(c.chunk());
                dst.put(data, (int) (from - c.fileOffset()), n);
            }
            pos = to;
        }
        if (pos != end) {
            throw new BackendException("inode " + inode.ino() + ": extents end at " + pos + ", file data at " + end);
        }
    }

    /** Fetches, decompresses and verifies one chunk. */
    public byte[] chunk(ChunkRef c) throws IOException {
        BlobInfo blob = sb.blobs().get(c.blobIndex());
        BlobReader r = readers.get(c.blobIndex());
        if (r == null) {
            r = backend.open(blob.blobId());
            readers.put(c.blobIndex(), r);
        }
        byte[] stored = r.read(c.compressedOffset(), c.compressedSize());
        Compressor comp = sb.version() == RafsVersion.V5 ? sb.compressor() : blob.compressor();
        byte[] data;
        try {
            data = ChunkCodec.decodeChunk(comp, c.flags(), stored, 0, stored.length, c.uncompressedSize());
        } catch (BackendException e) {
            throw new BackendException("chunk " + c.chunkIndex() + " of blob " + blob.blobId() + " at "
                    + c.compressedOffset() + ": " + e.getMessage(), e);
        }
        if (c.digest() != null) {
            Digester d = sb.version() == RafsVersion.V5 ? sb.digester() : blob.digester();
            if (!ChunkDigest.matches(d, c.digest(), data, 0, data.length)) {
                throw new BackendException("chunk " + c.chunkIndex() + " of blob " + blob.blobId() + " at "
                        + c.compressedOffset() + ": " + d + " digest mismatch, expected " + c.digestHex() + ", got "
                        + ChunkDigest.hex(d, data, 0, data.length));
            }
            chunksVerified++;
        }
        return data;
    }

    @Override
    public void close() {
        readers.values().forEach(BlobReader::close);
        readers.clear();
    }
}
