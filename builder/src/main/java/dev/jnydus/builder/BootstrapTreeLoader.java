package dev.jnydus.builder;

import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsFormatException;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.Xattr;
import dev.jnydus.rafs.metadata.TreeWalker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns an opened layer bootstrap back into a {@link Tree} (upstream
 * {@code MetadataTreeBuilder}): attributes, symlink targets, xattrs and chunk references, with
 * each chunk's blob index mapped through {@code blobMap}.
 */
final class BootstrapTreeLoader {
    private final RafsSuper rs;
    private final int layer;
    private final int[] blobMap;
    private final String source;
    private final Overlay overlay;

    /**
     * @param overlay {@link Overlay#LOWER} for a parent image (its data is never dumped again),
     *     {@link Overlay#UPPER_ADDITION} for a layer being merged
     */
    BootstrapTreeLoader(RafsSuper rs, int layer, int[] blobMap, String source, Overlay overlay) {
        this.rs = rs;
        this.layer = layer;
        this.blobMap = blobMap;
        this.source = source;
        this.overlay = overlay;
    }

    /**
     * Walks the image with rafs-reader's {@link TreeWalker}, which decodes each inode once and
     * rejects a directory reached twice, so a corrupt layer cannot make the load recurse forever.
     */
    Tree load() throws BuildException {
        Tree[] root = {null};
        // The directory being filled at each depth of the depth-first walk.
        List<Tree> open = new ArrayList<>();
        try {
            TreeWalker.walk(rs, e -> {
                byte[] path = e.path();
                Tree t;
                if (e.depth() == 0) {
                    t = new Tree(new byte[] {'/'}, node(e.inode(), "/"));
                    root[0] = t;
                } else {
                    int slash = path.length - 1;
                    while (path[slash] != '/') {
                        slash--;
                    }
                    t = new Tree(Arrays.copyOfRange(path, slash + 1, path.length), node(e.inode(), e.pathString()));
                    open.get(e.depth() - 1).children.add(t);
                }
                if (t.node.isDir()) {
                    open.subList(e.depth(), open.size()).clear();
                    open.add(t);
                }
                return true;
            });
        } catch (BuildException e) {
            throw e;
        } catch (IOException e) { // a RafsFormatException from the walk or a decoder
            throw new BuildException(source + ": " + e.getMessage(), e);
        }
        root[0].walkPre(Tree::sortChildren);
        return root[0];
    }

    private Node node(RafsInode inode, String path) throws RafsFormatException, BuildException {
        Node n = new Node(path, null);
        n.layer = layer;
        n.srcIno = inode.ino();
        n.srcDev = -1;
        n.mode = inode.mode();
        n.uid = inode.uid();
        n.gid = inode.gid();
        n.mtime = inode.mtime();
        n.mtimeNsec = inode.mtimeNsec();
        n.size = inode.size();
        n.rdev = inode.rdev();
        n.overlay = overlay;
        if (inode.isSymlink()) {
            n.symlink = inode.symlinkTarget();
        }
        for (Xattr x : inode.xattrs()) {
            n.xattrs.put(x.name(), x.value());
        }
        if (inode.isReg()) {
            List<Chunk> chunks = new ArrayList<>();
            for (FileExtent fe : inode.extents(0, inode.size())) {
                if (!(fe instanceof FileExtent.Chunk c)) {
                    throw new BuildException(source + ": " + path + ": file data not stored in chunks ("
                            + fe.getClass().getSimpleName() + "), cannot merge");
                }
                ChunkRef r = c.chunk();
                if (r.blobIndex() < 0 || r.blobIndex() >= blobMap.length) {
                    throw new BuildException(source + ": " + path + ": chunk refers to blob " + r.blobIndex()
                            + ", the blob table has " + blobMap.length);
                }
                if (r.digest() == null) {
                    throw new BuildException(source + ": " + path + ": chunk without a digest, cannot merge");
                }
                chunks.add(new Chunk(r.digest(), blobMap[r.blobIndex()], r.chunkIndex(), r.flags(),
                        r.compressedOffset(), r.compressedSize(), r.uncompressedOffset(), r.uncompressedSize(),
                        r.fileOffset(), r.crc32()));
            }
            n.chunks = chunks;
        }
        return n;
    }

    /** The blob-table entry of a loaded blob. */
    static BlobEntry entry(BlobInfo b) {
        return new BlobEntry(b.blobId(), b.compressor(), b.digester(), b.chunkSize(), b.chunkCount(),
                b.compressedSize(), b.uncompressedSize(), b.features(), b.ciOffset(), b.ciCompressedSize(),
                b.ciUncompressedSize(), b.ciCompressor() == null ? dev.jnydus.common.Compressor.NONE : b.ciCompressor(),
                b.tocSize(), b.tocDigest() == null ? new byte[32] : b.tocDigest(),
                b.metaDigest() == null ? new byte[32] : b.metaDigest(), b.metaSize(), b.readaheadOffset(),
                b.readaheadSize());
    }
}
