package dev.jnydus.cache.file;

import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.testkit.FakeBlob;
import java.util.ArrayList;
import java.util.List;

/** A {@link FakeBlob} as the cache module sees it: its chunks and its blob info, chunk table included. */
final class FakeBlobInfo {
    private FakeBlobInfo() {
    }

    static ChunkInfo chunk(FakeBlob.Chunk c) {
        return ChunkInfo.of(0, c.index(), c.compressedOffset(), c.compressedSize(), c.uncompressedOffset(),
                c.uncompressedSize(), c.compressed(), c.digest());
    }

    static BlobInfo info(FakeBlob b) {
        List<ChunkInfo> all = new ArrayList<>();
        for (FakeBlob.Chunk c : b.chunks()) {
            all.add(chunk(c));
        }
        return BlobInfo.builder(b.blobId()).index(0).compressor(b.compressor()).digester(b.digester())
                .chunkSize(b.chunkSize()).chunkCount(b.chunks().size()).compressedSize(b.compressedSize())
                .uncompressedSize(b.uncompressedSize()).chunkTable(ChunkTable.of(all)).build();
    }
}
