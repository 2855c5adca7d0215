package dev.jnydus.daemon.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nydusd's administration API: HTTP/1.1 on a Unix stream socket (spec 3.1), served by Netty on
 * epoll domain sockets (the JDK's own Unix-domain channels when epoll is unavailable, with the
 * reason logged). Requests are parsed on the event loop ({@link HttpRoutes}) and carried out one
 * at a time on a dispatcher thread by the {@link ApiHandler}; connections are never closed for
 * being idle (the snapshotter's liveness check is one idle connection whose hang-up means "dead").
 *
 * <p>The socket file: any file at the path is replaced; the new socket is bound under a temporary
 * name, made mode 0600, then renamed into place, so the path never shows a socket with wider
 * permissions; {@link #close} removes it unless another process has replaced it since.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** Netty's system property for the machine part of its channel ids. */
    static final String NETTY_MACHINE_ID = "io.netty.machineId";

    static {
        // Netty names every channel with the machine's hardware address, which it finds by listing
        // the network interfaces, and warns at every start where there is none (a network
        // namespace, the fscache guest). Channels of a Unix-socket API need no machine-unique
        // name: random bytes, which is what Netty falls back to anyway, without the search.
        if (System.getProperty(NETTY_MACHINE_ID) == null) {
            byte[] id = new byte[8];
            new Random().nextBytes(id);
            System.setProperty(NETTY_MACHINE_ID, HexFormat.ofDelimiter(":").formatHex(id));
        }
    }
    /** Largest request body accepted (upstream: 50 KiB; blob entries and configs stay far below). */
    public static final int MAX_BODY = 1 << 20;

    private final Path path;
    private final Path tmp;
    private final boolean epoll;
    private final Channel channel;
    private final EventLoopGroup group;
    private final ExecutorService dispatcher;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The socket file's identity once {@link #publish} renamed it into place; null before. */
    private volatile Object fileKey;

    private ApiServer(Path path, Path tmp, boolean epoll, Channel channel, EventLoopGroup group,
                      ExecutorService dispatcher) {
        this.path = path;
        this.tmp = tmp;
        this.epoll = epoll;
        this.channel = channel;
        this.group = group;
        this.dispatcher = dispatcher;
    }

    static {
        // Netty looks for Java Flight Recorder to emit allocation events; loading JFR costs a
        // successor a few hundred milliseconds of the 2 to 4 s the snapshotter gives it to answer.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    /** Binds {@code socket} and serves {@code handler} until {@link #close}. */
    public static ApiServer start(Path socket, ApiHandler handler) throws IOException {
        ApiServer server = bind(socket, handler);
        try {
            server.publish();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Starts serving {@code handler} on a socket bound under a temporary name beside
     * {@code socket}, which nobody knows yet: {@link #publish} then puts it in place. A daemon
     * binds while it mounts, so that the API answers the moment it is published (starting the
     * server is most of the cost); the snapshotter relies on the path appearing only once the
     * daemon is RUNNING.
     */
    public static ApiServer bind(Path socket, ApiHandler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        Path target = socket.toAbsolutePath().normalize();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(String.valueOf(dir), null, "the API socket's directory does not exist");
        }
        Path tmp = dir.resolve("." + target.getFileName() + ".jnydus-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io;
        Class<? extends ServerChannel> type;
        SocketAddress address;
        if (epoll) {
            io = EpollIoHandler.newFactory();
            type = EpollServerDomainSocketChannel.class;
            address = new DomainSocketAddress(tmp.toString());
        } else {
            LOG.warn("epoll is unavailable ({}); the API uses the JDK's Unix-domain channels",
                    Epoll.unavailabilityCause().toString());
            io = NioIoHandler.newFactory();
            type = NioServerDomainSocketChannel.class;
            address = UnixDomainSocketAddress.of(tmp);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, daemonThreads("api-io"), io);
        ExecutorService dispatcher = Executors.newSingleThreadExecutor(daemonThreads("api-dispatcher"));
        try {
            Channel ch = new ServerBootstrap().group(group).channel(type)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(new HttpServerCodec(8192, 16384, 8192))
                                    .addLast(new ApiBodyAggregator(MAX_BODY))
                                    .addLast(new ApiChannelHandler(handler, dispatcher));
                        }
                    })
                    .bind(address).syncUninterruptibly().channel();
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            return new ApiServer(target, tmp, epoll, ch, group, dispatcher);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            dispatcher.shutdownNow();
            Files.deleteIfExists(tmp);
            throw e instanceof IOException io2 ? io2 : new IOException("cannot serve the API on " + target + ": "
                    + e.getMessage(), e);
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Renames the bound socket to its path (replacing any file there); once only. */
    public synchronized void publish() throws IOException {
        if (fileKey != null) {
            return;
        }
        if (closed.get()) {
            throw new IOException("the API server on " + path + " is closed");
        }
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
        fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        LOG.info("API server listening on {} ({})", path, epoll ? "epoll" : "nio");
    }

    public Path path() {
        return path;
    }

    /** Stops listening, drops the connections and removes the socket file if it is still ours. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        dispatcher.shutdownNow();
        synchronized (this) {
            if (fileKey == null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("cannot remove the unpublished API socket {}: {}", tmp, e.getMessage());
                }
                return;
            }
        }
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, fileKey)) {
                Files.deleteIfExists(path);
                LOG.info("API socket {} removed", path);
            } else {
                LOG.info("API socket {} belongs to another process now; left in place", path);
            }
        } catch (NoSuchFileException e) {
            LOG.debug("API socket {} already gone", path);
        } catch (IOException e) {
            LOG.warn("cannot remove the API socket {}: {}", path, e.getMessage());
        }
    }
}
