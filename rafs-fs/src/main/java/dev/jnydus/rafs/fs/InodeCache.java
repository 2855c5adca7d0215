package dev.jnydus.rafs.fs;

import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Decoded inodes by number, so that a stream of reads of one file decodes its inode once. A
 * direct-mapped table: one slot per hash, a newer inode simply replaces an older one in its slot.
 * No locks, no bookkeeping, bounded memory; a miss costs one decode from the mapped bootstrap.
 * Inodes are immutable, so sharing them between worker threads is safe.
 */
final class InodeCache {
    private final RafsSuper sb;
    private final AtomicReferenceArray<RafsInode> slots;
    private final int mask;

    /** @param slots a power of two */
    InodeCache(RafsSuper sb, int slots) {
        if (slots <= 0 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slot count must be a power of two, got " + slots);
        }
        this.sb = sb;
        this.slots = new AtomicReferenceArray<>(slots);
        this.mask = slots - 1;
    }

    RafsInode get(long ino) throws RafsFormatException {
        int i = slot(ino);
        RafsInode cached = slots.get(i);
        if (cached != null && cached.ino() == ino) {
            return cached;
        }
        RafsInode fresh = sb.inode(ino);
        slots.set(i, fresh);
        return fresh;
    }

    /** Remembers an inode decoded elsewhere (by a lookup or a directory listing). */
    void put(RafsInode inode) {
        slots.set(slot(inode.ino()), inode);
    }

    private int slot(long ino) {
        long h = ino * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }
}
