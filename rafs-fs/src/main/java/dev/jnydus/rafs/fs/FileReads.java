package dev.jnydus.rafs.fs;

import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.BlobIoVec;
import dev.jnydus.cache.device.ChunkSink;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkSlice;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The data path of {@link RafsFileSystem}: a READ of a file range is first worked out into parts
 * in file order (runs of chunk slices for the blob device, holes, data inline in the bootstrap),
 * which tells whether it needs anything the local cache lacks, and then performed. Working it out
 * reads only the bootstrap; performing it may wait for the backend.
 */
final class FileReads {
    /** Zeros for holes, shared read-only; as large as the largest FUSE read. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    /** A piece of a read: what delivers its bytes. */
    private sealed interface Part permits Chunks, Zeros, Inline {
    }

    /** Consecutive chunk slices, read from the blob device as one vector. */
    private record Chunks(List<ChunkSlice> slices) implements Part {
    }

    private record Zeros(int length) implements Part {
    }

    private record Inline(long bootstrapOffset, int length) implements Part {
    }

    /** One READ worked out: its parts in file order and the bytes they deliver (0 at end of file). */
    static final class Plan {
        private final RafsInode inode;
        private final List<Part> parts;
        private final int size;

        private Plan(RafsInode inode, List<Part> parts, int size) {
            this.inode = inode;
            this.parts = parts;
            this.size = size;
        }

        RafsInode inode() {
            return inode;
        }

        /** The bytes the read delivers. */
        int size() {
            return size;
        }
    }

    private final RafsSuper sb;
    private final BlobDevice device;
    private final CacheBlobs blobs;
    private final BlobErrorLog errorLog;

    FileReads(RafsSuper sb, BlobDevice device, CacheBlobs blobs, BlobErrorLog errorLog) {
        this.sb = sb;
        this.device = device;
        this.blobs = blobs;
        this.errorLog = errorLog;
    }

    /**
     * Works out a read of at most {@code max} bytes at {@code offset} of regular file {@code i}.
     *
     * @throws FsException EINVAL for a negative offset; EIO when the extents do not cover the range
     */
    Plan plan(RafsInode i, long offset, int max) throws FsException {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset " + offset);
        }
        long size = i.size();
        if (offset >= size || max <= 0) {
            return new Plan(i, List.of(), 0);
        }
        long end = offset + Math.min(max, size - offset);
        List<FileExtent> extents;
        try {
            extents = i.extents(offset, end - offset);
        } catch (RafsFormatException e) {
            throw RafsFileSystem.corrupt(i, e);
        }
        List<Part> parts = new ArrayList<>(extents.size());
        long pos = offset;
        List<ChunkSlice> run = null;
        for (FileExtent e : extents) {
            long from = Math.max(pos, e.fileOffset());
            long to = Math.min(end, e.fileOffset() + e.length());
            if (from != pos || to <= from) {
                if (to <= pos) {
                    continue;
                }
                throw RafsFileSystem.corrupt(i, new RafsFormatException("extents leave a gap at " + pos
                        + " (next extent at " + e.fileOffset() + ")"));
            }
            int len = (int) (to - from);
            if (e instanceof FileExtent.Chunk c) {
                ChunkRef ref = c.chunk();
                if (run == null) {
                    run = new ArrayList<>(4);
                    parts.add(new Chunks(run));
                }
                ChunkInfo chunk;
                try {
                    chunk = blobs.chunk(ref);
                } catch (RafsFormatException ex) {
                    throw RafsFileSystem.corrupt(i, ex);
                }
                run.add(new ChunkSlice(chunk, (int) (from - ref.fileOffset()), len));
            } else {
                run = null;
                if (e instanceof FileExtent.Hole) {
                    parts.add(new Zeros(len));
                } else {
                    FileExtent.Inline in = (FileExtent.Inline) e;
                    parts.add(new Inline(in.bootstrapOffset() + (from - in.fileOffset()), len));
                }
            }
            pos = to;
        }
        if (pos != end) {
            throw RafsFileSystem.corrupt(i, new RafsFormatException("extents end at " + pos + ", file data at " + end));
        }
        return new Plan(i, parts, (int) (end - offset));
    }

    /**
     * Whether performing {@code p} needs nothing from the backend: every chunk it touches is in
     * the local cache (or it touches none). A cheap question, asked on a FUSE worker; when in
     * doubt the answer is no.
     */
    boolean isCached(Plan p) {
        if (device == null) {
            return true;
        }
        try {
            for (Part part : p.parts) {
                if (part instanceof Chunks c) {
                    for (ChunkSlice s : c.slices) {
                        if (!device.isReady(s.chunk())) {
                            return false;
                        }
                    }
                }
            }
            return true;
        } catch (RuntimeException e) {
            // A chunk record the cache cannot place (a corrupt index, say): the read reports it.
            return false;
        }
    }

    /** Puts the bytes of {@code p} into {@code dst} from its position, which must have room. */
    void perform(Plan p, ByteBuffer dst) throws FsException {
        for (Part part : p.parts) {
            if (part instanceof Chunks c) {
                readChunks(p.inode, c.slices, dst);
            } else if (part instanceof Zeros z) {
                zeros(dst, z.length);
            } else {
                Inline in = (Inline) part;
                ByteBuffer piece = dst.slice(dst.position(), in.length);
                try {
                    sb.readBootstrap(in.bootstrapOffset, piece);
                } catch (RafsFormatException e) {
                    throw RafsFileSystem.corrupt(p.inode, e);
                }
                dst.position(dst.position() + in.length);
            }
        }
    }

    private static void zeros(ByteBuffer dst, int len) {
        while (len > 0) {
            int n = Math.min(len, ZEROS.capacity());
            dst.put(ZEROS.slice(0, n));
            len -= n;
        }
    }

    private void readChunks(RafsInode i, List<ChunkSlice> slices, ByteBuffer dst) throws FsException {
        if (device == null) {
            throw new FsException(Errno.EIO, "inode " + i.ino() + " has chunk data but the image has no blob device");
        }
        BlobIoVec io = new BlobIoVec(slices);
        int start = dst.position();
        try {
            device.read(io, ChunkSink.of(dst));
        } catch (FsException e) {
            dst.position(start);
            String blob = blobsOf(slices);
            errorLog.failed(blob, "inode " + i.ino() + " range " + slices.size() + " chunks", e.getMessage());
            throw new FsException(Errno.EIO, "blob " + blob + ": " + e.getMessage(), e);
        }
    }

    private String blobsOf(List<ChunkSlice> slices) {
        int first = slices.get(0).chunk().blobIndex();
        StringBuilder out = new StringBuilder(blobs.blobId(first));
        int last = first;
        for (ChunkSlice s : slices) {
            int b = s.chunk().blobIndex();
            if (b != last && b != first) {
                out.append(',').append(blobs.blobId(b));
                last = b;
            }
        }
        return out.toString();
    }
}
