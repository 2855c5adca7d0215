package dev.jnydus.daemon.upgrade;

import java.util.List;
import java.util.Objects;

/**
 * What a successor needs to serve a FUSE connection it did not open: the connection's id in
 * fusectl, what INIT settled with the kernel (the kernel sends INIT once per connection, so the
 * successor never sees it), and the layout of the namespace the node ids refer to.
 *
 * @param mountpoint the host mountpoint (for logs and checks; the successor's command line names it)
 * @param connectionId {@code (major << 20) | minor} of the mount's device: its directory in
 *     {@code /sys/fs/fuse/connections}
 * @param init the INIT outcome
 * @param vfs the namespace layout
 */
public record FuseSessionState(String mountpoint, long connectionId, Init init, VfsLayout vfs) {
    public FuseSessionState {
        Objects.requireNonNull(mountpoint, "mountpoint");
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(vfs, "vfs");
    }

    /**
     * The INIT outcome.
     *
     * @param minor the protocol minor in use (the major is 7)
     * @param flags the capabilities enabled (64 bits, FUSE_INIT_EXT's high word included)
     * @param kernelFlags the capabilities the kernel offered
     */
    public record Init(int major, int minor, long flags, long kernelFlags, int maxReadahead, int maxWrite,
                       int maxPages) {
    }

    /**
     * The namespace's own inodes and counters: the pseudo directories that lead to each mount
     * (their inode numbers are node ids the kernel holds) and the next numbers to hand out.
     */
    public record VfsLayout(List<PseudoDir> dirs, long nextPseudoIno, int nextIndex) {
        public VfsLayout {
            dirs = List.copyOf(dirs);
        }
    }

    /** One pseudo directory: its inode, its parent's, and its name (UTF-8). */
    public record PseudoDir(long ino, long parent, String name) {
        public PseudoDir {
            Objects.requireNonNull(name, "name");
        }
    }
}
