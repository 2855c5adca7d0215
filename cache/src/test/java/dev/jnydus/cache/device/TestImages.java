package dev.jnydus.cache.device;

import dev.jnydus.common.BlobFeatures;
import dev.jnydus.testkit.FakeBlob;
import java.util.ArrayList;
import java.util.List;

/** Turns testkit blobs into the cache's records, the way the filesystem layer will. */
final class TestImages {
    private TestImages() {
    }

    static ChunkInfo chunk(int blobIndex, FakeBlob.Chunk c) {
        return ChunkInfo.of(blobIndex, c.index(), c.compressedOffset(), c.compressedSize(), c.uncompressedOffset(),
                c.uncompressedSize(), c.compressed(), c.digest());
    }

    static List<ChunkInfo> chunks(int blobIndex, List<FakeBlob.Chunk> cs) {
        List<ChunkInfo> out = new ArrayList<>();
        for (FakeBlob.Chunk c : cs) {
            out.add(chunk(blobIndex, c));
        }
        return out;
    }

    /** The blob record, with its full chunk table (as v5 through the bootstrap, v6 through .blob.meta). */
    static BlobInfo info(int index, FakeBlob b) {
        return infoBuilder(index, b).chunkTable(ChunkTable.of(chunks(index, b.chunks()))).build();
    }

    /** The blob record without a chunk table. */
    static BlobInfo infoWithoutTable(int index, FakeBlob b) {
        return infoBuilder(index, b).build();
    }

    static BlobInfo.Builder infoBuilder(int index, FakeBlob b) {
        return BlobInfo.builder(b.blobId())
                .index(index)
                .compressor(b.compressor())
                .digester(b.digester())
                .chunkSize(b.chunkSize())
                .chunkCount(b.chunks().size())
                .compressedSize(b.compressedSize())
                .uncompressedSize(b.uncompressedSize())
                .features(BlobFeatures.ALIGNED);
    }

    /**
     * The request for {@code length} bytes at {@code offset} of file {@code fileNo} of the blob: the
     * slices of the chunks covering it, as rafs-fs will build it.
     */
    static BlobIoVec fileRange(int blobIndex, FakeBlob b, int fileNo, long offset, long length) {
        BlobIoVec.Builder v = BlobIoVec.builder();
        long fileOff = 0;
        long end = offset + length;
        for (FakeBlob.Chunk c : b.fileChunks(fileNo)) {
            long cEnd = fileOff + c.uncompressedSize();
            if (cEnd > offset && fileOff < end) {
                int from = (int) (Math.max(offset, fileOff) - fileOff);
                int to = (int) (Math.min(end, cEnd) - fileOff);
                v.add(chunk(blobIndex, c), from, to - from);
            }
            fileOff = cEnd;
        }
        return v.build();
    }

    /** Expected file bytes. */
    static byte[] fileBytes(FakeBlob b, int fileNo) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (FakeBlob.Chunk c : b.fileChunks(fileNo)) {
            out.writeBytes(b.chunkData(c));
        }
        return out.toByteArray();
    }

    static byte[] read(BlobDevice dev, BlobIoVec io) throws java.io.IOException {
        java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate((int) io.size());
        dev.read(io, dst);
        return dst.array();
    }
}
