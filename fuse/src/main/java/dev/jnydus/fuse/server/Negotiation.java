package dev.jnydus.fuse.server;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.abi.Fuse;
import dev.jnydus.fuse.abi.InitIn;
import dev.jnydus.fuse.abi.InitOut;
import dev.jnydus.fuse.api.FileSystem;
import dev.jnydus.fuse.api.FsOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FUSE INIT: the protocol version, the capabilities both sides want minus what the server lacks,
 * and the limits we announce. Remembers the outcome.
 */
final class Negotiation {
    private static final Logger LOG = LoggerFactory.getLogger(Negotiation.class);

    /** Capabilities the server does not implement, whatever the filesystem asks for. */
    private static final long SERVER_UNSUPPORTED = FsOptions.SPLICE_WRITE | FsOptions.SPLICE_MOVE
            | FsOptions.SPLICE_READ | FsOptions.SETXATTR_EXT | FsOptions.SECURITY_CTX | FsOptions.CREATE_SUPP_GROUP
            | FsOptions.PASSTHROUGH | FsOptions.MAP_ALIGNMENT | FsOptions.HAS_INODE_DAX | FsOptions.INIT_EXT
            | FsOptions.INIT_RESERVED | FsOptions.ALLOW_IDMAP;

    private final FileSystem fs;
    private final int maxPages;
    private final int maxTransfer;
    private final int maxBackground;
    private final int congestionThreshold;
    private final AtomicReference<Negotiated> negotiated = new AtomicReference<>();

    Negotiation(FileSystem fs, int maxPages, int maxTransfer, int maxBackground, int congestionThreshold) {
        this.fs = fs;
        this.maxPages = maxPages;
        this.maxTransfer = maxTransfer;
        this.maxBackground = maxBackground;
        this.congestionThreshold = congestionThreshold;
    }

    Negotiated get() {
        return negotiated.get();
    }

    /**
     * Takes a session whose INIT a predecessor answered: the kernel sends INIT once per
     * connection, so the filesystem is told what was settled then, as if it had seen it.
     */
    void resume(Negotiated n) {
        try {
            Objects.requireNonNull(fs.init(n.enabled()), "init returned null");
        } catch (FsException e) {
            throw new IllegalStateException("the filesystem refused the resumed session's options "
                    + n.enabled().names() + ": " + e.getMessage(), e);
        }
        negotiated.set(n);
        LOG.info("FUSE session resumed: using 7.{}, max_write {}, max_pages {}, enabled {}", n.minor(), n.maxWrite(),
                n.maxPages(), n.enabled().names());
    }

    /** Answers INIT into {@code out} (positioned after the out header). */
    void init(ByteBuffer in, ByteBuffer out) throws IOException {
        Args.need(in, InitIn.COMPAT_SIZE, "fuse_init_in");
        int major = in.getInt(in.position());
        int minor = in.getInt(in.position() + 4);
        int maxReadahead = in.getInt(in.position() + 8);
        long flags = Integer.toUnsignedLong(in.getInt(in.position() + 12));
        if (major < Fuse.KERNEL_VERSION
                || (major == Fuse.KERNEL_VERSION && minor < Fuse.MIN_KERNEL_MINOR_VERSION)) {
            LOG.error("unsupported FUSE protocol {}.{} (need {}.{} or later)", major, minor, Fuse.KERNEL_VERSION,
                    Fuse.MIN_KERNEL_MINOR_VERSION);
            throw new FsException(Errno.EPROTO, "FUSE protocol " + major + "." + minor);
        }
        if (major > Fuse.KERNEL_VERSION) {
            // Tell the kernel our major; it answers with a new INIT in that major.
            out.putInt(Fuse.KERNEL_VERSION).putInt(Fuse.KERNEL_MINOR_VERSION);
            return;
        }
        if ((flags & FsOptions.INIT_EXT) != 0) {
            if (in.remaining() >= 20) {
                flags |= Integer.toUnsignedLong(in.getInt(in.position() + 16)) << 32;
            } else {
                flags &= ~FsOptions.INIT_EXT;
            }
        }
        FsOptions capable = FsOptions.of(flags);
        FsOptions want = Objects.requireNonNull(fs.init(capable), "init returned null");
        long enabled = flags & (want.bits() | FsOptions.MAX_PAGES | FsOptions.BIG_WRITES) & ~SERVER_UNSUPPORTED;
        if ((enabled >>> 32) != 0) {
            enabled |= FsOptions.INIT_EXT;
        }
        int negotiatedMinor = Math.min(minor, Fuse.KERNEL_MINOR_VERSION);
        int maxWrite = (enabled & (FsOptions.MAX_PAGES | FsOptions.BIG_WRITES)) != 0
                ? maxTransfer : Fuse.MIN_READ_BUFFER - Server.HEADER_ROOM;
        int pages = (enabled & FsOptions.MAX_PAGES) != 0 ? maxPages : 0;
        InitOut reply = new InitOut(Fuse.KERNEL_VERSION, Fuse.KERNEL_MINOR_VERSION, maxReadahead, (int) enabled,
                maxBackground, congestionThreshold, maxWrite, 1, pages, 0, (int) (enabled >>> 32), 0);
        int start = out.position();
        reply.encode(out);
        if (negotiatedMinor < 5) {
            out.position(start + InitOut.COMPAT_SIZE);
        } else if (negotiatedMinor < 23) {
            out.position(start + InitOut.COMPAT_22_SIZE);
        }
        Negotiated n = new Negotiated(Fuse.KERNEL_VERSION, negotiatedMinor, FsOptions.of(enabled), capable,
                maxReadahead, maxWrite, pages);
        negotiated.set(n);
        LOG.info("FUSE INIT: kernel {}.{}, using 7.{}, max_write {}, max_pages {}, enabled {}", major, minor,
                negotiatedMinor, maxWrite, pages, n.enabled().names());
    }
}
