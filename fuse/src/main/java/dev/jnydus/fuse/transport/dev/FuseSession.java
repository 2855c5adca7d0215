package dev.jnydus.fuse.transport.dev;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.MountInfo;
import dev.jnydus.sys.Mounts;
import dev.jnydus.sys.ProcessIds;
import dev.jnydus.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FUSE connection: the session descriptor (the /dev/fuse file given to mount) and, when
 * known, its mountpoint. Either created by {@link #mount} (mount(2) as root), or {@link #adopt}ed
 * from a descriptor received from a predecessor (hot upgrade, failover), which mounts nothing.
 *
 * <p>Shutdown: {@link #unmount} detaches the mount (MNT_DETACH); once the last user of the mount
 * is gone the kernel ends the connection and workers see ENODEV. {@link #close} unmounts a mount we
 * made and closes the descriptor. {@link #closeKeepingMount} closes only the descriptor, for a
 * process that has handed the connection over.
 */
public final class FuseSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseSession.class);
    private static final Path CONNECTIONS = Path.of("/sys/fs/fuse/connections");
    /** {@code FUSE_NOTIFY_RESEND}, the notification code of a resend request (protocol 7.40). */
    static final int NOTIFY_RESEND = 7;

    private final Fd fd;
    private final Path mountpoint;
    private final boolean ownsMount;
    private final AtomicBoolean mounted;

    private FuseSession(Fd fd, Path mountpoint, boolean ownsMount, boolean mounted) {
        this.fd = fd;
        this.mountpoint = mountpoint;
        this.ownsMount = ownsMount;
        this.mounted = new AtomicBoolean(mounted);
    }

    /**
     * Opens /dev/fuse and mounts it at the options' mountpoint with mount(2) (needs CAP_SYS_ADMIN).
     * Source and type as in {@link MountOptions}; data
     * {@code default_permissions,fd=N,rootmode=M,user_id=U,group_id=G,max_read=R,allow_other}, where
     * M is the octal type bits of the mountpoint (a directory or a file).
     */
    public static FuseSession mount(MountOptions opts) throws IOException {
        Path mp = opts.mountpoint().toAbsolutePath().normalize();
        int mode = (Integer) Files.getAttribute(mp, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int type = mode & 0170000;
        if (type != 0040000 && type != 0100000) {
            throw new FsException(Errno.ENOTDIR, "mountpoint " + mp + " is neither a directory nor a regular file");
        }
        Fd fd = Sys.open(DevFuseChannel.DEV_FUSE, Sys.O_RDWR);
        boolean ok = false;
        try {
            StringBuilder data = new StringBuilder();
            if (opts.defaultPermissions()) {
                data.append("default_permissions,");
            }
            data.append("fd=").append(fd.get())
                    .append(",rootmode=").append(Integer.toOctalString(type))
                    .append(",user_id=").append(ProcessIds.getuid())
                    .append(",group_id=").append(ProcessIds.getgid());
            if (opts.maxRead() > 0) {
                data.append(",max_read=").append(opts.maxRead());
            }
            if (opts.allowOther()) {
                data.append(",allow_other");
            }
            long flags = Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOATIME | (opts.readOnly() ? Mounts.MS_RDONLY : 0);
            LOG.debug("mount {} on {} type {} flags {} data {}", opts.fsName(), mp, opts.fsType(), flags, data);
            Mounts.mount(opts.fsName(), mp, opts.fsType(), flags, data.toString());
            ok = true;
            LOG.info("mounted FUSE at {} (fd {})", mp, fd.number());
            return new FuseSession(fd, mp, true, true);
        } finally {
            if (!ok) {
                fd.close();
            }
        }
    }

    /**
     * A session over an existing, already mounted connection's descriptor (received from a
     * predecessor). Nothing is mounted; {@link #close} will not unmount unless
     * {@code unmountOnClose}.
     *
     * @param mountpoint where the connection is mounted, or {@code null} when unknown
     */
    public static FuseSession adopt(Fd fd, Path mountpoint, boolean unmountOnClose) {
        Objects.requireNonNull(fd, "fd");
        return new FuseSession(fd, mountpoint, unmountOnClose, mountpoint != null);
    }

    /**
     * Checks that {@code fd} is an open /dev/fuse (character device 10:229), as a descriptor
     * received from a supervisor must be: looked up through {@code /proc/self/fd}, which stats the
     * device node, never a mount.
     *
     * @throws FsException EBADF naming what the descriptor is instead
     */
    public static void requireFuseDevice(Fd fd) throws FsException {
        Path link = Path.of("/proc/self/fd", Integer.toString(fd.get()));
        long rdev;
        try {
            rdev = ((Number) Files.getAttribute(link, "unix:rdev")).longValue();
        } catch (IOException | RuntimeException e) {
            throw new FsException(Errno.EBADF, "fd " + fd.number() + " cannot be examined: " + e.getMessage(), e);
        }
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        if (major != 10 || minor != 229) {
            String what;
            try {
                what = Files.readSymbolicLink(link).toString();
            } catch (IOException e) {
                what = "device " + major + ":" + minor;
            }
            throw new FsException(Errno.EBADF, "fd " + fd.number() + " is " + what + ", not /dev/fuse");
        }
    }

    /**
     * The session descriptor, for handing over (send a {@link Sys#dup} of it, or this one and then
     * {@link #closeKeepingMount}).
     */
    public Fd fd() {
        return fd;
    }

    /** The mountpoint, or {@code null} for an adopted session whose mountpoint is unknown. */
    public Path mountpoint() {
        return mountpoint;
    }

    public boolean isMounted() {
        return mounted.get();
    }

    /**
     * The kernel's connection id, which names {@code /sys/fs/fuse/connections/<id>}: the device
     * number of the mount as {@code (major << 20) | minor} (the kernel's internal dev_t), as
     * nydusd computes it. Read from the mount table, not by a stat of the mountpoint: a stat
     * waits for the daemon to answer, and the daemon asking may be the one that is to answer.
     */
    public OptionalLong connectionId() throws IOException {
        if (mountpoint == null || !mounted.get()) {
            return OptionalLong.empty();
        }
        return MountInfo.read().connectionId(mountpoint, false);
    }

    /**
     * Detaches the mount (umount2 MNT_DETACH). Idempotent. The connection ends when the last open
     * file on it is closed; until then workers keep serving those files.
     */
    public void unmount() throws FsException {
        if (mountpoint != null && mounted.compareAndSet(true, false)) {
            try {
                Mounts.umount2(mountpoint, Mounts.MNT_DETACH);
                LOG.info("unmounted FUSE at {}", mountpoint);
            } catch (FsException e) {
                if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                    mounted.set(true);
                    throw e;
                }
                LOG.debug("{} was no longer mounted: {}", mountpoint, e.getMessage());
            }
        }
    }

    /**
     * Aborts the connection through fusectl ({@code /sys/fs/fuse/connections/<id>/abort}): every
     * pending and future request fails with ENOTCONN, workers see ENODEV. For crash cleanup and
     * tests; needs fusectl mounted.
     */
    public void abort() throws IOException {
        OptionalLong id = connectionId();
        if (id.isEmpty()) {
            throw new FsException(Errno.ENOTCONN, "no mounted connection to abort");
        }
        new Fusectl(java.util.List.of(CONNECTIONS)).abort(id.getAsLong());
    }

    /**
     * Sends {@code FUSE_NOTIFY_RESEND} (Linux 6.9 and later): the kernel moves every request that
     * was read from this connection and not answered yet back to the queue of requests to read,
     * with bit 63 of each one's unique id set. A successor sends it after taking the session over
     * so that the requests its predecessor took with it are served again; a late answer from the
     * predecessor then names a request the kernel no longer knows, and fails with ENOENT.
     *
     * @throws FsException EINVAL from a kernel without the notification, or the device's error
     */
    public void notifyResend() throws FsException {
        ByteBuffer b = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(16).putInt(NOTIFY_RESEND).putLong(0).flip();
        Sys.write(fd, b);
        LOG.info("asked the kernel to resend the requests in flight on {}", this);
    }

    /** Unmounts (when this session mounted, or was told to on adopt) and closes the descriptor. */
    @Override
    public void close() throws FsException {
        try {
            if (ownsMount) {
                unmount();
            }
        } finally {
            fd.close();
        }
    }

    /** Closes the descriptor but leaves the mount, for a process whose successor holds the connection. */
    public void closeKeepingMount() {
        fd.close();
    }

    @Override
    public String toString() {
        return "FuseSession(" + mountpoint + ", " + fd + ")";
    }
}
