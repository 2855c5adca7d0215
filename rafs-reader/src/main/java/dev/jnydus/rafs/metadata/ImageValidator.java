package dev.jnydus.rafs.metadata;

import java.io.IOException;

/**
 * Decodes every part of an image a reader can reach: every inode, directory, xattr list, symlink
 * target and extent list (the blob and prefetch tables are decoded when the image is opened). A
 * bootstrap that passes can be served; one that fails does so with a {@link RafsFormatException}
 * naming the field.
 *
 * <p>Inline extents are not read back: the decoders bounds-check every {@link FileExtent.Inline}
 * range against the bootstrap before returning it, so {@link RafsSuper#readBootstrap} of it
 * cannot fail.
 */
public final class ImageValidator {
    private ImageValidator() {
    }

    /** What a walk of the whole image found. */
    public record Summary(long entries, long entriesWithXattrs) {
        /** No entry of the image has an xattr: every getxattr would answer "no such attribute". */
        public boolean xattrFree() {
            return entriesWithXattrs == 0;
        }
    }

    /** Walks the whole image; returns the number of entries (the root included). */
    public static long validate(RafsSuper sb) throws IOException {
        return check(sb).entries();
    }

    /** Walks the whole image; returns the entries (the root included) and how many of them have xattrs. */
    public static Summary check(RafsSuper sb) throws IOException {
        long[] counts = {0, 0};
        TreeWalker.walk(sb, e -> {
            RafsInode inode = e.inode();
            if (!inode.xattrs().isEmpty()) {
                counts[1]++;
            }
            if (inode.isSymlink()) {
                inode.symlinkTarget();
            }
            if (inode.isReg()) {
                inode.extents(0, inode.size());
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new RafsFormatException("validation interrupted at " + e.pathString());
            }
            counts[0]++;
            return true;
        });
        return new Summary(counts[0], counts[1]);
    }
}
