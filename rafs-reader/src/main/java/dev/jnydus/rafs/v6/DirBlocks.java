package dev.jnydus.rafs.v6;

import dev.jnydus.rafs.layout.MetaBuffer;
import dev.jnydus.rafs.metadata.DirentVisitor;
import dev.jnydus.rafs.metadata.RafsFormatException;

/**
 * The directory blocks of one EROFS directory (rafs-format 5.9): each block is an array of 12-byte
 * dirents followed by their names; entries are sorted byte-wise across all blocks.
 *
 * <p>Readdir offsets are {@code (block << 32) | (entry + 1)}: stable across calls, never 0, and a
 * resume needs no scan of earlier blocks.
 */
final class DirBlocks {
    private static final int DIRENT = 12;
    private static final int MAX_NAME = 255;

    private final V6Inode dir;
    private final MetaBuffer meta;
    private final long blocks;

    DirBlocks(V6Inode dir) throws RafsFormatException {
        this.dir = dir;
        this.meta = dir.sbMeta();
        long bs = dir.sbBlockSize();
        this.blocks = (dir.size() + bs - 1) / bs;
    }

    /** One decoded block: where it is, how long, and how many dirents it holds. */
    private final class Block {
        final long at;
        final long len;
        final int count;

        Block(long b) throws RafsFormatException {
            long[] loc = dir.flatBlock(b);
            this.at = loc[0];
            this.len = loc[1];
            int nameoff0 = meta.u16(at + 8, "nameoff of nid " + dir.nid() + " block " + b);
            if (nameoff0 < DIRENT || nameoff0 % DIRENT != 0 || nameoff0 > len) {
                throw new RafsFormatException("nid " + dir.nid() + " block " + b + ": invalid first nameoff " + nameoff0);
            }
            this.count = nameoff0 / DIRENT;
        }

        long nid(int j) throws RafsFormatException {
            return meta.u64(at + (long) j * DIRENT, "dirent nid");
        }

        int type(int j) throws RafsFormatException {
            return meta.u8(at + (long) j * DIRENT + 10, "dirent file_type");
        }

        private int nameOff(int j) throws RafsFormatException {
            return meta.u16(at + (long) j * DIRENT + 8, "dirent nameoff");
        }

        /** Returns {start, length} of name j inside the block. */
        long[] name(int j) throws RafsFormatException {
            int start = nameOff(j);
            int end;
            if (j + 1 < count) {
                end = nameOff(j + 1);
            } else {
                end = (int) len;
                // The last name of a block runs to the end of the block and stops at the first NUL.
                for (int i = start; i < end; i++) {
                    if (meta.u8(at + i, "dirent name") == 0) {
                        end = i;
                        break;
                    }
                }
            }
            if (start < count * DIRENT || end > len || end <= start || end - start > MAX_NAME) {
                throw new RafsFormatException("nid " + dir.nid() + ": invalid dirent name range " + start + ".." + end
                        + " in a block of " + len + " bytes");
            }
            return new long[] {at + start, end - start};
        }

        byte[] nameBytes(int j) throws RafsFormatException {
            long[] n = name(j);
            return meta.bytes(n[0], (int) n[1], "dirent name");
        }

        int compare(int j, byte[] target) throws RafsFormatException {
            long[] n = name(j);
            return meta.compareName(n[0], (int) n[1], target, "dirent name");
        }
    }

    /** The nid named {@code name}, or -1. */
    long lookup(byte[] name) throws RafsFormatException {
        long lo = 0;
        long hi = blocks - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            Block blk = new Block(mid);
            if (blk.compare(0, name) > 0) {
                hi = mid - 1;
                continue;
            }
            if (blk.compare(blk.count - 1, name) < 0) {
                lo = mid + 1;
                continue;
            }
            int l = 0;
            int h = blk.count - 1;
            while (l <= h) {
                int m = (l + h) >>> 1;
                int c = blk.compare(m, name);
                if (c == 0) {
                    return blk.nid(m);
                }
                if (c < 0) {
                    l = m + 1;
                } else {
                    h = m - 1;
                }
            }
            return -1;
        }
        return -1;
    }

    void list(long offset, DirentVisitor visitor) throws RafsFormatException {
        long b = offset <= 0 ? 0 : offset >>> 32;
        int j = offset <= 0 ? 0 : (int) (offset & 0xFFFF_FFFFL);
        for (; b < blocks; b++, j = 0) {
            Block blk = new Block(b);
            for (; j < blk.count; j++) {
                int type = blk.type(j);
                if (type > 7) {
                    throw new RafsFormatException("nid " + dir.nid() + ": invalid dirent file_type " + type);
                }
                long next = (b << 32) | (j + 1);
                if (!visitor.accept(blk.nameBytes(j), blk.nid(j), DT_OF_EROFS[type], next)) {
                    return;
                }
            }
        }
    }

    /** EROFS file types to DT_* values. */
    private static final int[] DT_OF_EROFS = {0, 8, 4, 2, 6, 1, 12, 10};
}
