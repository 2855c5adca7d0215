package dev.jnydus.daemon;

import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.sys.MountInfo;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What is at {@code --mountpoint} before the daemon mounts there, found without sending a request
 * to a FUSE filesystem that may already be mounted on it: the mount table says whether the path is
 * a mount point and of what kind, and only a path that is not a FUSE mount is ever stat'ed. (A
 * {@code stat} of a FUSE mount whose connection a supervisor keeps open for a successor waits until
 * someone serves it, which may be never; canonicalising the path, as upstream does, is such a
 * stat.)
 *
 * <p>The answers ({@link State}):
 * <ul>
 *   <li>{@link State#FREE}: a directory that is not a FUSE mount; the daemon may mount on it.</li>
 *   <li>{@link State#SERVED}: a FUSE mount, and a daemon accepts connections on the API socket
 *       given: mounting again would stack a second filesystem over a live one, so the caller
 *       refuses.</li>
 *   <li>{@link State#CRASHED}: a FUSE mount, and the API socket file exists but nobody accepts on
 *       it: upstream's test for a crashed predecessor (spec 1.7); a daemon that can take over waits
 *       for the takeover here instead of mounting.</li>
 *   <li>{@link State#FUSE_MOUNTED}: a FUSE mount and no API socket to ask: a live daemon or a dead
 *       one's leftover, which only a request to the mount could tell apart. Either way a second
 *       mount is wrong.</li>
 * </ul>
 * A regular file, or anything else that is not a directory, is refused outright: upstream mounts
 * FUSE over it with the file's type as {@code rootmode}, and since a RAFS root is a directory the
 * kernel then answers every stat of the mountpoint with EIO.
 */
public final class MountpointCheck {
    /** The symlinks followed while resolving the mountpoint, as the kernel's MAXSYMLINKS. */
    private static final int MAX_SYMLINKS = 40;

    /** What occupies the mountpoint. */
    public enum State {
        FREE, SERVED, CRASHED, FUSE_MOUNTED
    }

    /**
     * @param mountpoint the mountpoint, absolute and with symlinks resolved
     * @param mount the mount on top of it, when it is a mount point
     * @param apiSock the API socket that was asked, for {@link State#SERVED} and {@link State#CRASHED}
     */
    public record Result(Path mountpoint, State state, Optional<MountInfo.Mount> mount, Optional<Path> apiSock) {
        /** One sentence saying what is there, for an error or a log line. */
        public String describe() {
            return switch (state) {
                case FREE -> mountpoint + " is free";
                case SERVED -> mountpoint + " is already served by a running daemon (its API socket " + apiSock.get()
                        + " accepts connections); stop that daemon first";
                case CRASHED -> mountpoint + " is a FUSE mount whose daemon no longer answers on its API socket "
                        + apiSock.get() + " (a crashed predecessor)";
                case FUSE_MOUNTED -> mountpoint + " is already a FUSE mount (" + mount.get().fsType() + ", source "
                        + mount.get().source() + "): a daemon serves it, or one that exited left it behind; stop that "
                        + "daemon or unmount " + mountpoint + " first";
            };
        }
    }

    private MountpointCheck() {
    }

    /** Inspects {@code given} in this process's mount namespace, asking {@code apiSock} when given. */
    public static Result inspect(String given, Optional<String> apiSock) throws StartupException {
        MountInfo table;
        try {
            table = MountInfo.read();
        } catch (IOException e) {
            throw new StartupException("invalid mountpoint " + given + ": cannot read the mount table: "
                    + e.getMessage(), e);
        }
        return inspect(given, apiSock.map(Path::of), table, MountpointCheck::accepts);
    }

    static Result inspect(String given, Optional<Path> apiSock, MountInfo table, Predicate<Path> accepts)
            throws StartupException {
        Path mp = resolve(given, table);
        Optional<MountInfo.Mount> mount = table.top(mp);
        if (mount.isPresent() && mount.get().isFuse()) {
            if (apiSock.isPresent() && Files.exists(apiSock.get())) {
                State s = accepts.test(apiSock.get()) ? State.SERVED : State.CRASHED;
                return new Result(mp, s, mount, apiSock);
            }
            return new Result(mp, State.FUSE_MOUNTED, mount, Optional.empty());
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(mp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new StartupException("invalid mountpoint " + given + ": " + e.getMessage(), e);
        }
        if (!attrs.isDirectory()) {
            throw new StartupException("invalid mountpoint " + given + ": not a directory ("
                    + (attrs.isRegularFile() ? "a regular file" : "not a regular file either")
                    + "); the image's root is a directory and must be mounted on one");
        }
        return new Result(mp, State.FREE, mount, Optional.empty());
    }

    /**
     * The absolute, symlink-free path of {@code given}, stat'ing only what is not a mount point:
     * each step resolves the parent with {@code toRealPath} and looks the last name up in the
     * mount table before touching it.
     */
    static Path resolve(String given, MountInfo table) throws StartupException {
        Path p = Path.of(given).toAbsolutePath();
        for (int links = 0; links <= MAX_SYMLINKS; links++) {
            Path parent = p.getParent();
            Path name = p.getFileName();
            if (parent == null || name == null) {
                return p.getRoot();
            }
            Path candidate;
            try {
                Path realParent = parent.toRealPath();
                candidate = switch (name.toString()) {
                    case "." -> realParent;
                    case ".." -> realParent.getParent() == null ? realParent : realParent.getParent();
                    default -> realParent.resolve(name);
                };
                if (table.top(candidate).isPresent() || candidate.getParent() == null) {
                    return candidate; // a mount point is never a symlink: do not look at it
                }
                if (!Files.isSymbolicLink(candidate)) {
                    if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                        throw new NoSuchFileException(candidate.toString());
                    }
                    return candidate;
                }
                p = realParent.resolve(Files.readSymbolicLink(candidate));
            } catch (NoSuchFileException e) {
                throw new StartupException("invalid mountpoint " + given + ": no such file or directory", e);
            } catch (IOException e) {
                throw new StartupException("invalid mountpoint " + given + ": " + e.getMessage(), e);
            }
        }
        throw new StartupException("invalid mountpoint " + given + ": too many levels of symbolic links");
    }

    /**
     * Whether a process accepts connections on the Unix socket {@code sock}, asked without
     * blocking: a refused connection (no listener) means stale, as upstream's
     * {@code is_sock_residual}; a full backlog (EAGAIN) means a live listener.
     */
    static boolean accepts(Path sock) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.configureBlocking(false);
            return ch.connect(UnixDomainSocketAddress.of(sock)) || ch.isConnectionPending();
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return String.valueOf(e.getMessage()).contains("Resource temporarily unavailable");
        }
    }
}
