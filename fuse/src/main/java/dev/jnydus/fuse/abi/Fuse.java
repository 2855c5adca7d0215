package dev.jnydus.fuse.abi;

/** Protocol constants from {@code linux/fuse.h} that are not struct layouts. */
public final class Fuse {
    private Fuse() {
    }

    /** The protocol major version we speak. */
    public static final int KERNEL_VERSION = 7;

    /**
     * The highest minor we announce at INIT; the kernel then uses the smaller of its own and this.
     * 33 is what fuse-backend-rs (and so the Rust nydusd) announces: matching it means a connection
     * that an upstream daemon negotiated speaks exactly the dialect we expect after a takeover.
     */
    public static final int KERNEL_MINOR_VERSION = 33;

    /**
     * The lowest minor we accept. 7.13 (Linux 2.6.32) fixed the layouts of entry, attr, create and
     * mknod arguments that we decode with their full sizes.
     */
    public static final int MIN_KERNEL_MINOR_VERSION = 13;

    /** The node id of the root directory. */
    public static final long ROOT_ID = 1;

    /** The read buffer of /dev/fuse must be at least this large. */
    public static final int MIN_READ_BUFFER = 8192;

    // fuse_getattr_in.getattr_flags
    public static final int GETATTR_FH = 1;

    // fuse_release_in.release_flags
    public static final int RELEASE_FLUSH = 1;
    public static final int RELEASE_FLOCK_UNLOCK = 2;

    // fuse_lk_in.lk_flags
    public static final int LK_FLOCK = 1;

    // fuse_fsync_in.fsync_flags
    public static final int FSYNC_FDATASYNC = 1;

    // fuse_read_in.read_flags
    public static final int READ_LOCKOWNER = 2;

    // fuse_write_in.write_flags
    public static final int WRITE_CACHE = 1;
    public static final int WRITE_LOCKOWNER = 2;
    public static final int WRITE_KILL_PRIV = 4;

    /** Rounds a dirent length up to the 8-byte alignment READDIR entries use (FUSE_DIRENT_ALIGN). */
    public static int direntAlign(int len) {
        return (len + 7) & ~7;
    }
}
