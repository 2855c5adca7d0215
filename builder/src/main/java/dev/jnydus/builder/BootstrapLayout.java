package dev.jnydus.builder;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns what both bootstrap versions need before anything is written (upstream
 * {@code Bootstrap::build} and {@code build_rafs}): inode indexes (each directory's children
 * consecutively, then its subdirectories in name order), inode numbers with regular-file hard links
 * sharing the first link's, link counts, v5 child ranges, and for v6 the metadata offset of every
 * inode and directory block.
 *
 * <p>The v6 allocator keeps upstream's "available blocks": blocks left partly used, by free size
 * in 32-byte slots, which later inodes (with their inline tails) fill before the write position
 * grows. Offsets are relative to the metadata base, which starts one block before the root so the
 * root nid is 128 and never 0.
 */
final class BootstrapLayout {
    static final long BLOCK = 4096;
    static final int SLOT = 32;
    static final int LAYOUT_FLAT_PLAIN = 0;
    static final int LAYOUT_FLAT_INLINE = 2;
    static final int LAYOUT_CHUNK_BASED = 4;

    private final boolean v6;
    private final int chunkSize;
    final Prefetch prefetch;

    private long nextIno = 1;
    long inodeCount;
    private final Map<HardlinkKey, List<Node>> inodeMap = new HashMap<>();
    /** Current v6 write position (relative to the metadata base). */
    long offset = BLOCK;
    private final List<ArrayDeque<Long>> available = new ArrayList<>();

    private record HardlinkKey(int layer, long ino, long dev) {
    }

    BootstrapLayout(boolean v6, int chunkSize, Prefetch prefetch) {
        this.v6 = v6;
        this.chunkSize = chunkSize;
        this.prefetch = prefetch;
        for (int i = 0; i < BLOCK / SLOT; i++) {
            available.add(new ArrayDeque<>());
        }
    }

    boolean v6() {
        return v6;
    }

    int chunkSize() {
        return chunkSize;
    }

    /** Number of inode indexes handed out (v5 inode-table entries, v6 {@code inos}). */
    long indexCount() {
        return nextIno - 1;
    }

    void build(Tree tree) throws BuildException {
        Node root = tree.node;
        if (!root.isDir()) {
            throw new BuildException("/: the image root is not a directory");
        }
        root.index = nextIno++;
        root.ino = root.index;
        root.parentIno = 0;
        prefetch.insert(root);
        inodeCount++;
        buildDir(tree);
    }

    private void buildDir(Tree tree) throws BuildException {
        Node parent = tree.node;
        long parentIno = parent.ino;
        if (parent.isDir()) {
            parent.childCount = tree.children.size();
            if (v6) {
                long dSize = direntSize(tree);
                parent.size = dSize;
                setOffsetWithTail(parent, dSize);
                alignOffset(SLOT);
            } else {
                parent.childIndex = nextIno;
            }
        }
        List<Tree> dirs = new ArrayList<>();
        for (Tree child : tree.children) {
            Node n = child.node;
            n.index = nextIno++;
            n.parentIno = parentIno;
            Long hardlinkOffset = null;
            if (n.isReg()) {
                HardlinkKey key = new HardlinkKey(n.layer, n.srcIno, n.srcDev);
                List<Node> links = inodeMap.get(key);
                if (links != null) {
                    int nlink = links.size() + 1;
                    for (Node l : links) {
                        l.nlink = nlink;
                    }
                    Node first = links.get(0);
                    hardlinkOffset = first.v6Offset;
                    n.nlink = nlink;
                    n.ino = first.ino;
                    links.add(n);
                } else {
                    n.ino = n.index;
                    n.nlink = 1;
                    List<Node> l = new ArrayList<>(1);
                    l.add(n);
                    inodeMap.put(key, l);
                    inodeCount++;
                }
            } else {
                // RAFS models hard links for regular files only.
                n.ino = n.index;
                n.nlink = 1;
                inodeCount++;
            }
            if (v6 && !n.isDir()) {
                setOffset(n, hardlinkOffset);
            }
            prefetch.insert(n);
            if (n.isDir()) {
                dirs.add(child);
            }
        }
        if (parent.isDir()) {
            parent.nlink = 2 + dirs.size();
        }
        for (Tree d : dirs) {
            buildDir(d);
        }
    }

    /** Bytes of dirents and names over all blocks, counting the unused end of every full block. */
    static long direntSize(Tree tree) {
        List<byte[]> names = new ArrayList<>(tree.children.size() + 2);
        names.add(new byte[] {'.'});
        names.add(new byte[] {'.', '.'});
        for (Tree c : tree.children) {
            names.add(c.name);
        }
        if (!tree.children.isEmpty() && java.util.Arrays.compareUnsigned(tree.children.get(0).name,
                new byte[] {'.', '.'}) < 0) {
            names.sort(java.util.Arrays::compareUnsigned);
        }
        long d = 0;
        for (byte[] name : names) {
            long len = name.length + 12L;
            if (d % BLOCK + len > BLOCK) {
                d = Le.align(d, BLOCK);
            }
            d += len;
        }
        return d;
    }

    private void setOffset(Node n, Long hardlinkOffset) {
        if (n.isReg()) {
            if (hardlinkOffset != null) {
                n.v6Offset = hardlinkOffset;
            } else {
                long size = n.v6InodeSizeWithXattr();
                long total = Le.align(size, 8) + n.chunkCount(chunkSize) * 8;
                long off = allocateAvailable(total);
                if (off == 0) {
                    off = offset;
                    offset += total;
                }
                n.v6Offset = off;
            }
            n.v6Layout = LAYOUT_CHUNK_BASED;
        } else if (n.isSymlink()) {
            setOffsetWithTail(n, n.size);
        } else {
            n.v6Offset = offset;
            offset += n.v6InodeSizeWithXattr();
            n.v6Layout = LAYOUT_FLAT_PLAIN;
        }
        alignOffset(SLOT);
    }

    private void setOffsetWithTail(Node n, long dSize) {
        long inodeSize = n.v6InodeSizeWithXattr();
        long tail = dSize % BLOCK;
        boolean inline = tail != 0 && inodeSize + tail <= BLOCK;
        if (inline) {
            long off = allocateAvailable(inodeSize + tail);
            if (off == 0) {
                long avail = BLOCK - offset % BLOCK;
                if (avail < inodeSize + tail) {
                    appendAvailable(offset);
                    alignOffset(BLOCK);
                }
                off = offset;
                offset += inodeSize + tail;
            }
            n.v6Offset = off;
            if (dSize != tail) {
                appendAvailable(offset);
                alignOffset(BLOCK);
            }
            n.v6DirentsOffset = offset;
            offset += dSize / BLOCK * BLOCK;
            n.v6Layout = LAYOUT_FLAT_INLINE;
        } else {
            long off = allocateAvailable(inodeSize);
            if (off == 0) {
                off = offset;
                offset += inodeSize;
            }
            n.v6Offset = off;
            appendAvailable(offset);
            alignOffset(BLOCK);
            n.v6DirentsOffset = offset;
            offset += dSize;
            alignOffset(BLOCK);
            n.v6Layout = LAYOUT_FLAT_PLAIN;
        }
    }

    private void alignOffset(long a) {
        offset = Le.align(offset, a);
    }

    /** A slot in a partly used block with at least {@code size} bytes free, or 0. */
    private long allocateAvailable(long size) {
        if (size >= BLOCK) {
            return 0;
        }
        int min = (int) ((size + SLOT - 1) / SLOT);
        int max = (int) ((BLOCK + SLOT - 1) / SLOT);
        for (int idx = min; idx < max; idx++) {
            Long blk = available.get(idx).pollFirst();
            if (blk != null) {
                long off = blk + BLOCK - (long) idx * SLOT;
                appendAvailable(off + (long) min * SLOT);
                return off;
            }
        }
        return 0;
    }

    private void appendAvailable(long off) {
        if (off % BLOCK != 0) {
            long avail = BLOCK - off % BLOCK;
            available.get((int) (avail / SLOT)).addLast(off / BLOCK * BLOCK);
        }
    }

    @Override
    public String toString() {
        return "BootstrapLayout[v6=" + v6 + ", indexes=" + indexCount() + ", inodes=" + inodeCount + ", offset="
                + offset + "]";
    }
}
