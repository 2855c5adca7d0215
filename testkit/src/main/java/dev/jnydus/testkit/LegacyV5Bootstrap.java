package dev.jnydus.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Rewrites a RAFS v5 bootstrap into the shape upstream's builder wrote before 2.0 (nydus v1.x
 * {@code rafs/src/metadata/layout.rs}): the superblock has no extended blob table (its entry count
 * and offset, at 68 and 72, were {@code s_reserved} and reserved bytes, always zero), so the blob
 * table gives neither chunk counts nor blob sizes; and the last 8 bytes of each 80-byte chunk
 * record were one reserved {@code u64}, so every chunk's {@code index} is 0 and no chunk has a
 * CRC32. Chunk flags keep only COMPRESSED (an lz4 image still has chunks stored raw with the flag
 * clear, where compression did not help).
 *
 * <p>The rewrite walks the bootstrap itself (superblock, inode table, each inode record's name,
 * symlink and xattr table, then its chunk records) rather than going through the reader, so that
 * a test can make an image the reader has never seen.
 */
public final class LegacyV5Bootstrap {
    private static final int SUPER_SIZE = 8192;
    private static final int INODE_SIZE = 128;
    private static final int CHUNK_SIZE = 80;
    private static final int EXT_ENTRY_SIZE = 64;
    private static final long FLAG_XATTR = 0x4;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int COMPRESSED = 0x1;

    private LegacyV5Bootstrap() {
    }

    /** What a rewrite changed. */
    public record Result(int blobs, int chunkRecords, int rawChunkRecords) {
    }

    /** Rewrites {@code bootstrap} in place. */
    public static Result rewrite(Path bootstrap) throws IOException {
        byte[] b = Files.readAllBytes(bootstrap);
        Result r = rewrite(b);
        Files.write(bootstrap, b);
        return r;
    }

    /** Rewrites a bootstrap held in memory. */
    public static Result rewrite(byte[] bootstrap) {
        ByteBuffer m = ByteBuffer.wrap(bootstrap).order(ByteOrder.LITTLE_ENDIAN);
        if (m.getInt(0) != 0x52414653 || m.getInt(4) != 0x500) {
            throw new IllegalArgumentException("not a RAFS v5 bootstrap");
        }
        int extEntries = m.getInt(68);
        long extOffset = m.getLong(72);
        if (extEntries > 0) {
            Arrays.fill(bootstrap, (int) extOffset, (int) (extOffset + (long) extEntries * EXT_ENTRY_SIZE), (byte) 0);
        }
        m.putInt(68, 0);
        m.putLong(72, 0);

        long tableOffset = m.getLong(32);
        int entries = m.getInt(56);
        Set<Long> seen = new HashSet<>();
        int chunks = 0;
        int raw = 0;
        for (int i = 0; i < entries; i++) {
            long slot = Integer.toUnsignedLong(m.getInt((int) (tableOffset + 4L * i)));
            long at = slot << 3;
            if (slot == 0 || !seen.add(at)) {
                continue;
            }
            int mode = m.getInt((int) at + 60);
            if ((mode & S_IFMT) != S_IFREG) {
                continue;
            }
            long flags = m.getLong((int) at + 80);
            int childCount = m.getInt((int) at + 96);
            int nameSize = Short.toUnsignedInt(m.getShort((int) at + 100));
            int symlinkSize = Short.toUnsignedInt(m.getShort((int) at + 102));
            long pos = at + INODE_SIZE + align8(nameSize) + align8(symlinkSize);
            if ((flags & FLAG_XATTR) != 0) {
                pos += 8 + align8(m.getLong((int) pos));
            }
            for (int k = 0; k < childCount; k++) {
                int rec = (int) (pos + (long) k * CHUNK_SIZE);
                int chunkFlags = m.getInt(rec + 36) & COMPRESSED;
                m.putInt(rec + 36, chunkFlags);
                m.putInt(rec + 72, 0);
                m.putInt(rec + 76, 0);
                chunks++;
                if (chunkFlags == 0) {
                    raw++;
                }
            }
        }
        return new Result(countBlobs(m), chunks, raw);
    }

    private static int countBlobs(ByteBuffer m) {
        long off = m.getLong(48);
        int size = m.getInt(64);
        int n = 0;
        long pos = off;
        long end = off + size;
        while (end - pos > 8) {
            pos += 8;
            while (pos < end && m.get((int) pos) != 0) {
                pos++;
            }
            pos++;
            n++;
        }
        return n;
    }

    private static long align8(long v) {
        return (v + 7) & ~7L;
    }
}
