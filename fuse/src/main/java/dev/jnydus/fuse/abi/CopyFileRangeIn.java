package dev.jnydus.fuse.abi;

import java.nio.ByteBuffer;

/** COPY_FILE_RANGE arguments. C: {@code struct fuse_copy_file_range_in}, 56 bytes, little-endian. */
public record CopyFileRangeIn(long fhIn, long offIn, long nodeIdOut, long fhOut, long offOut, long len, long flags) {
    public static final int SIZE = 56;

    /** Reads {@link #SIZE} bytes at the buffer's position, advancing it; the caller checked the length. */
    public static CopyFileRangeIn decode(ByteBuffer b) {
        long fhIn = b.getLong();
        long offIn = b.getLong();
        long nodeIdOut = b.getLong();
        long fhOut = b.getLong();
        long offOut = b.getLong();
        long len = b.getLong();
        long flags = b.getLong();
        return new CopyFileRangeIn(fhIn, offIn, nodeIdOut, fhOut, offOut, len, flags);
    }

    /** Writes {@link #SIZE} bytes at the buffer's position (padding zeroed), advancing it. */
    public void encode(ByteBuffer b) {
        b.putLong(fhIn);
        b.putLong(offIn);
        b.putLong(nodeIdOut);
        b.putLong(fhOut);
        b.putLong(offOut);
        b.putLong(len);
        b.putLong(flags);
    }
}
