package dev.jnydus.testkit.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on 127.0.0.1 in front of a test server (a registry) that can be told to hang: while
 * {@linkplain #hang() hanging} it accepts connections and reads what clients send, but forwards
 * nothing either way, as a server that accepts and never answers; {@link #recover()} forwards what
 * it holds and everything after. A request that reaches the proxy while it hangs is held, and
 * {@link #awaitHeld} lets a test wait for "N requests are stuck" as an event.
 *
 * <p>Plain blocking sockets, two threads per connection; the upstream connection is opened when
 * the first bytes are let through. {@link #close()} closes every socket.
 */
public final class HangingProxy implements AutoCloseable {
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean hanging;
    private int held;
    private volatile boolean closed;

    private HangingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::acceptLoop, "hanging-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    /** Starts a proxy to {@code 127.0.0.1:targetPort}, forwarding. */
    public static HangingProxy start(int targetPort) throws IOException {
        return new HangingProxy(targetPort);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}, to put where the target's address would go. */
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /** From now on, accept and read but forward nothing. */
    public void hang() {
        synchronized (gate) {
            hanging = true;
        }
    }

    /** Forward again: what is held goes through now. */
    public void recover() {
        synchronized (gate) {
            hanging = false;
            gate.notifyAll();
        }
    }

    /** Pieces of requests (or responses) read and waiting to be forwarded, now. */
    public int held() {
        synchronized (gate) {
            return held;
        }
    }

    /** Waits until at least {@code n} pieces are held; fails when that does not happen in time. */
    public void awaitHeld(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (gate) {
            while (held < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " requests held by the proxy within " + timeout
                            + ", " + held + " are");
                }
                TimeUnit.NANOSECONDS.timedWait(gate, left);
            }
        }
    }

    private void pass() throws InterruptedException {
        synchronized (gate) {
            if (!hanging) {
                return;
            }
            held++;
            gate.notifyAll();
            try {
                while (hanging && !closed) {
                    gate.wait();
                }
            } finally {
                held--;
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> serve(client), "hanging-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Client to upstream on this thread, upstream to client on another, each through the gate. */
    private void serve(Socket client) {
        Socket upstream = null;
        try (client) {
            InputStream in = client.getInputStream();
            byte[] buf = new byte[64 * 1024];
            OutputStream up = null;
            int n;
            while ((n = in.read(buf)) > 0) {
                pass();
                if (upstream == null) {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    sockets.add(upstream);
                    up = upstream.getOutputStream();
                    Socket from = upstream;
                    Thread back = new Thread(() -> pump(from, client), "hanging-proxy-back");
                    back.setDaemon(true);
                    back.start();
                }
                up.write(buf, 0, n);
                up.flush();
            }
        } catch (IOException | InterruptedException e) {
            // The client or the upstream went away; so does this connection.
        } finally {
            closeQuietly(upstream);
            sockets.remove(client);
        }
    }

    private void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                pass();
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing to do
            }
            sockets.remove(s);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        synchronized (gate) {
            gate.notifyAll();
        }
    }
}
