package dev.jnydus.rafs.metadata;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Decodes every part of an image a reader can reach: the blob and prefetch tables, every inode,
 * directory, xattr list, symlink target and extent list, and the bootstrap bytes inline extents
 * point at. A bootstrap that passes can be served; one that fails does so with a
 * {@link RafsFormatException} naming the field.
 */
public final class ImageValidator {
    private static final int INLINE_PROBE = 4096;

    private ImageValidator() {
    }

    /** Walks the whole image; returns the number of entries (the root included). */
    public static long validate(RafsSuper sb) throws IOException {
        sb.blobs();
        sb.prefetchInodes();
        long[] entries = {0};
        TreeWalker.walk(sb, e -> {
            RafsInode inode = e.inode();
            inode.xattrs();
            inode.blocks();
            if (inode.isSymlink()) {
                inode.symlinkTarget();
            }
            if (inode.isReg()) {
                for (FileExtent x : inode.extents(0, inode.size())) {
                    if (x instanceof FileExtent.Inline in) {
                        sb.readBootstrap(in.bootstrapOffset(), ByteBuffer.allocate((int) Math.min(in.length(), INLINE_PROBE)));
                    }
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new RafsFormatException("validation interrupted at " + e.pathString());
            }
            entries[0]++;
            return true;
        });
        return entries[0];
    }
}
