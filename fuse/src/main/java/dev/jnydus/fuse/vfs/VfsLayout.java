package dev.jnydus.fuse.vfs;

import java.util.List;
import java.util.Objects;

/**
 * The namespace's own inodes and counters, which a successor serving the same kernel connection
 * must reproduce before it attaches anything: the pseudo directories leading to the attach points
 * (their inode numbers are node ids the kernel holds; numbers are never reused, so after detaches
 * they are not what a fresh replay would hand out) and the next numbers to hand out.
 *
 * @param dirs every pseudo directory but the root, parents before children
 * @param nextPseudoIno the inode number the next new pseudo directory gets
 * @param nextIndex where the search for a free backend index starts
 */
public record VfsLayout(List<Dir> dirs, long nextPseudoIno, int nextIndex) {
    public VfsLayout {
        dirs = List.copyOf(dirs);
    }

    /** One pseudo directory. */
    public record Dir(long ino, long parent, String name) {
        public Dir {
            Objects.requireNonNull(name, "name");
        }
    }
}
