package dev.jnydus.fscache.cachefiles;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.PollSet;
import dev.jnydus.sys.Sys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /dev/cachefiles} in on-demand mode: the only class of the daemon that holds the device.
 * {@link #bind} sets a fresh cache up as nydusd does ({@code dir}, optional {@code tag},
 * {@code bind ondemand}); {@link #restore} takes over a device a previous daemon bound (its fd
 * handed over by a supervisor) and sends {@code restore}, so that the requests that daemon took
 * and did not answer are delivered again.
 *
 * <p>Set-up failures become one {@link CachefilesSetupException} naming what is missing: the
 * device (no cachefiles in the kernel), on-demand mode ({@code CONFIG_CACHEFILES_ONDEMAND}), a
 * cache directory on a filesystem cachefiles accepts, the privilege, or a free device.
 */
public final class DevCachefiles implements CachefilesChannel {
    private static final Logger LOG = LoggerFactory.getLogger(DevCachefiles.class);
    public static final Path DEVICE = Path.of("/dev/cachefiles");

    private final Fd dev;
    private final Fd wake;
    private final PollSet pollSet;

    private DevCachefiles(Fd dev, Fd wake) {
        this.dev = dev;
        this.wake = wake;
        this.pollSet = new PollSet(new Fd[] {dev, wake}, new short[] {Sys.POLLIN, Sys.POLLIN});
    }

    /**
     * Opens the device and binds a new on-demand cache rooted at {@code dir} (an existing directory
     * on ext4, xfs or btrfs; not tmpfs).
     */
    public static DevCachefiles bind(Path device, Path dir, Optional<String> tag) throws CachefilesSetupException {
        if (!Files.isDirectory(dir)) {
            throw new CachefilesSetupException("fscache directory " + dir + " does not exist or is not a directory",
                    Errno.ENOTDIR, null);
        }
        Fd fd = openDevice(device);
        try {
            write(fd, Commands.dir(dir.toAbsolutePath()), device, dir);
            if (tag.isPresent()) {
                write(fd, Commands.tag(tag.get()), device, dir);
            }
            write(fd, Commands.bindOndemand(), device, dir);
            DevCachefiles d = new DevCachefiles(fd, Sys.eventfd(0, Sys.EFD_NONBLOCK));
            LOG.info("cachefiles: {} bound in on-demand mode, cache in {}{}", device, dir,
                    tag.map(t -> ", tag " + t).orElse(""));
            return d;
        } catch (CachefilesSetupException e) {
            fd.close();
            throw e;
        } catch (FsException e) {
            fd.close();
            throw new CachefilesSetupException("cachefiles: " + e.getMessage(), e.errno(), e);
        }
    }

    /**
     * Takes over a bound device from a previous daemon (the fd a supervisor kept) and writes
     * {@code restore}. Takes ownership of {@code inherited}.
     */
    public static DevCachefiles restore(Fd inherited) throws CachefilesSetupException {
        try {
            write(inherited, Commands.restore(), DEVICE, null);
            DevCachefiles d = new DevCachefiles(inherited, Sys.eventfd(0, Sys.EFD_NONBLOCK));
            LOG.info("cachefiles: took over device fd {} and restored outstanding requests", inherited.number());
            return d;
        } catch (CachefilesSetupException e) {
            inherited.close();
            throw e;
        } catch (FsException e) {
            inherited.close();
            throw new CachefilesSetupException("cachefiles: " + e.getMessage(), e.errno(), e);
        }
    }

    private static Fd openDevice(Path device) throws CachefilesSetupException {
        try {
            return Sys.open(device, Sys.O_RDWR);
        } catch (FsException e) {
            throw openFailure(device, e);
        }
    }

    /** What a failed open of the device means for the user. */
    static CachefilesSetupException openFailure(Path device, FsException e) {
        String what;
        switch (e.errno()) {
            case ENOENT:
            case ENXIO:
            case ENODEV:
                what = device + " is missing: this kernel has no cachefiles (CONFIG_CACHEFILES; "
                        + "try 'modprobe cachefiles'); fscache mode needs Linux 5.19 or later with "
                        + "CONFIG_CACHEFILES_ONDEMAND and CONFIG_EROFS_FS_ONDEMAND";
                break;
            case EBUSY:
                what = device + " is busy: another daemon (nydusd, or cachefilesd) holds it; only one "
                        + "process may open it";
                break;
            case EPERM:
            case EACCES:
                what = "opening " + device + " needs CAP_SYS_ADMIN (run as root)";
                break;
            default:
                what = "cannot open " + device + ": " + e.getMessage();
        }
        return new CachefilesSetupException(what, e.errno(), e);
    }

    /** Writes a set-up command, naming the missing feature when the kernel refuses it. */
    private static void write(Fd fd, String command, Path device, Path dir) throws CachefilesSetupException {
        try {
            writeCommand(fd, command);
        } catch (FsException e) {
            throw commandFailure(command, e, device, dir);
        }
    }

    /** What the kernel's refusal of a set-up command means for the user. */
    static CachefilesSetupException commandFailure(String command, FsException e, Path device, Path dir) {
        String name = command.split(" ", 2)[0];
        String what = "cachefiles refused '" + command + "': " + e.getMessage();
        if (command.equals(Commands.bindOndemand()) && e.errno() == Errno.EINVAL) {
            what = "cachefiles in this kernel has no on-demand mode (CONFIG_CACHEFILES_ONDEMAND is not set): "
                    + "'bind ondemand' was refused";
        } else if (command.equals(Commands.bindOndemand()) && e.errno() == Errno.EOPNOTSUPP) {
            what = "cachefiles cannot keep its cache in " + dir + ": the filesystem lacks tmpfiles, user xattrs, "
                    + "sync_fs or direct I/O (use ext4, xfs or btrfs; tmpfs, 9p and overlayfs do not work)";
        } else if (name.equals("restore") && e.errno() == Errno.EOPNOTSUPP) {
            what = "cachefiles refused 'restore': the kernel predates failover support, or the device was not "
                    + "bound in on-demand mode";
        } else if ((name.equals("dir") || name.equals("tag"))
                && (e.errno() == Errno.EEXIST || e.errno() == Errno.EBUSY)) {
            what = "cachefiles: " + device + " is already configured ('" + name + "' refused with "
                    + e.errno().name() + ")";
        }
        return new CachefilesSetupException(what, e.errno(), e);
    }

    private static void writeCommand(Fd fd, String command) throws FsException {
        byte[] b = command.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocateDirect(b.length).put(b).flip();
        int n = Sys.write(fd, buf);
        if (n != b.length) {
            throw new FsException(Errno.EIO, "short write of '" + command + "': " + n + " of " + b.length + " bytes");
        }
    }

    @Override
    public int read(ByteBuffer dst) throws FsException {
        int start = dst.position();
        int n = Sys.read(dev, dst);
        dst.position(start + n);
        return n;
    }

    @Override
    public void command(String command) throws FsException {
        writeCommand(dev, command);
    }

    @Override
    public boolean await(int timeoutMillis) throws FsException {
        if (pollSet.poll(timeoutMillis) == 0) {
            return false;
        }
        if ((pollSet.revents(1) & Sys.POLLIN) != 0) {
            return false;
        }
        return (pollSet.revents(0) & (Sys.POLLIN | Sys.POLLERR | Sys.POLLHUP)) != 0;
    }

    @Override
    public void wakeup() {
        try {
            Sys.eventfdWrite(wake, 1);
        } catch (FsException e) {
            LOG.warn("cachefiles: waking the workers failed: {}", e.getMessage());
        }
    }

    @Override
    public CacheObjectFile adoptObjectFd(int fd) {
        return new AnonymousFd(Fd.adopt(fd));
    }

    /** A duplicate of the device fd, for a supervisor that keeps the cache alive across a restart. */
    public Fd duplicate() throws FsException {
        return Sys.dup(dev);
    }

    @Override
    public void close() {
        wakeup();
        dev.close();
        wake.close();
    }
}
