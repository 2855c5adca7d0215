package dev.jnydus.daemon;

import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.fuse.transport.dev.FuseSession;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's crash detection (spec 1.7): a daemon started with the same command line as one that
 * died finds the mountpoint still mounted (the supervisor holds the FUSE connection) and the API
 * socket file left behind with nobody accepting on it; it then waits in INIT for the takeover
 * instead of mounting again. Both are found without touching the mount: a stat of a FUSE mount
 * whose daemon is gone waits for an answer that only this process could give.
 */
final class PredecessorCheck {
    private static final Logger LOG = LoggerFactory.getLogger(PredecessorCheck.class);

    private PredecessorCheck() {
    }

    /**
     * {@code given} made absolute with its parent's symlinks resolved, without a look at the path
     * itself (which may be a dead mount).
     */
    static Path resolveParent(String given) throws StartupException {
        Path p = Path.of(given).toAbsolutePath().normalize();
        Path parent = p.getParent();
        if (parent == null) {
            return p;
        }
        try {
            return parent.toRealPath().resolve(p.getFileName());
        } catch (NoSuchFileException e) {
            throw new StartupException("invalid mountpoint " + given + ": no such file or directory", e);
        } catch (IOException e) {
            throw new StartupException("invalid mountpoint " + given + ": " + e.getMessage(), e);
        }
    }

    /** A FUSE mount on {@code mountpoint} whose API socket file exists and refuses connections. */
    static boolean crashed(Path mountpoint, Path apiSock) throws StartupException {
        boolean fuse;
        try {
            fuse = FuseSession.fuseConnectionAt(mountpoint).isPresent();
        } catch (IOException e) {
            throw new StartupException("cannot read the mount table: " + e.getMessage(), e);
        }
        if (!fuse || !Files.exists(apiSock, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (accepts(apiSock)) {
            return false;
        }
        LOG.warn("a previous daemon crashed: {} is still mounted and nobody answers on {}", mountpoint, apiSock);
        return true;
    }

    /**
     * Whether someone accepts connections on {@code sock}, asked without blocking: refused means
     * stale (upstream's {@code is_sock_residual}); a full backlog still means a live listener.
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
