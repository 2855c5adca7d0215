package dev.jnydus.cache.device;

import java.util.ArrayList;
import java.util.List;

/**
 * One read request: chunk slices in the order their bytes go to the destination. A file range
 * becomes one vector (its chunks may live in different blobs of the device). Holes and inline
 * data are the filesystem layer's business and never appear here.
 */
public record BlobIoVec(List<ChunkSlice> slices) {
    public BlobIoVec {
        slices = List.copyOf(slices);
    }

    public static BlobIoVec of(ChunkSlice... slices) {
        return new BlobIoVec(List.of(slices));
    }

    /** Total number of bytes the request delivers. */
    public long size() {
        long n = 0;
        for (ChunkSlice s : slices) {
            n += s.length();
        }
        return n;
    }

    public boolean isEmpty() {
        return slices.isEmpty();
    }

    /** Builds a vector slice by slice. */
    public static final class Builder {
        private final List<ChunkSlice> slices = new ArrayList<>();

        public Builder add(ChunkInfo chunk, int offset, int length) {
            slices.add(new ChunkSlice(chunk, offset, length));
            return this;
        }

        public Builder addWhole(ChunkInfo chunk) {
            slices.add(ChunkSlice.whole(chunk));
            return this;
        }

        public BlobIoVec build() {
            return new BlobIoVec(slices);
        }
    }

    public static Builder builder() {
        return new Builder();
    }
}
