package dev.jnydus.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP proxy on 127.0.0.1 between a daemon and a registry, for the handover tests. It forwards
 * each request whole (so the registry's access log records what it forwarded), adds a fixed
 * latency to every blob read (a cold cache that stays cold long enough for a handover to land in
 * the middle of fetching), records the byte range of every blob read it forwarded, and can be
 * closed: while closed, new requests are held before they reach the registry, and
 * {@link #dropHeld} answers them 503 without forwarding (their client was killed). That lets a
 * test kill a daemon while it waits on fetches and no fetch is half-way through the registry.
 */
final class GatedRegistryProxy implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");
    private static final Set<String> HOP = Set.of("connection", "content-length", "transfer-encoding", "keep-alive",
            "host", "upgrade", "date");

    /** One forwarded blob read: {@code [start, end]} inclusive. */
    record Range(String path, long start, long end) {
    }

    private final String target;
    private final Duration latency;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "gated-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Range> forwarded = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private boolean closedGate;
    private long generation;
    private int held;
    private int inFlight;

    private GatedRegistryProxy(String targetHostPort, Duration latency) throws IOException {
        this.target = "http://" + targetHostPort;
        this.latency = latency;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    static GatedRegistryProxy start(String targetHostPort, Duration latency) throws IOException {
        return new GatedRegistryProxy(targetHostPort, latency);
    }

    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            long myGeneration;
            synchronized (this) {
                myGeneration = generation;
                held++;
                notifyAll();
                while (closedGate && generation == myGeneration) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                held--;
                if (generation != myGeneration) {
                    ex.sendResponseHeaders(503, -1);
                    return;
                }
                inFlight++;
            }
            try {
                forward(ex);
            } finally {
                synchronized (this) {
                    inFlight--;
                    notifyAll();
                }
            }
        }
    }

    /**
     * Forwards one request on a connection of its own ({@code Connection: close}): a pooled
     * connection that the registry closed while idle makes a client send the request again, and
     * the registry would count a read the daemon made once.
     */
    private void forward(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().toString();
        String method = ex.getRequestMethod();
        boolean blob = path.contains("/blobs/sha256:");
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        if (blob && !latency.isZero()) {
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        HttpURLConnection conn = (HttpURLConnection) URI.create(target + path).toURL().openConnection(Proxy.NO_PROXY);
        int status;
        byte[] response;
        try {
            conn.setInstanceFollowRedirects(false);
            conn.setConnectTimeout(10_000);
            conn.setReadTimeout(60_000);
            conn.setRequestMethod(method);
            conn.setUseCaches(false);
            for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
                if (!HOP.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    for (String v : h.getValue()) {
                        conn.addRequestProperty(h.getKey(), v);
                    }
                }
            }
            conn.setRequestProperty("Connection", "close");
            if (body.length > 0) {
                conn.setDoOutput(true);
                try (OutputStream out = conn.getOutputStream()) {
                    out.write(body);
                }
            }
            status = conn.getResponseCode();
            try (InputStream in = status >= 400 ? conn.getErrorStream() : conn.getInputStream()) {
                response = in == null ? new byte[0] : in.readAllBytes();
            }
        } catch (IOException e) {
            synchronized (this) {
                failures.add(method + " " + path + " " + ex.getRequestHeaders().getFirst("Range") + ": " + e);
            }
            throw e;
        } finally {
            conn.disconnect();
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        if (blob && status / 100 == 2 && method.equals("GET")) {
            Matcher m = range == null ? null : RANGE.matcher(range);
            synchronized (this) {
                if (m != null && m.matches()) {
                    forwarded.add(new Range(ex.getRequestURI().getPath(), Long.parseLong(m.group(1)),
                            Long.parseLong(m.group(2))));
                } else {
                    forwarded.add(new Range(ex.getRequestURI().getPath(), 0, response.length - 1L));
                }
            }
        }
        for (Map.Entry<String, List<String>> h : conn.getHeaderFields().entrySet()) {
            if (h.getKey() != null && !HOP.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                h.getValue().forEach(v -> ex.getResponseHeaders().add(h.getKey(), v));
            }
        }
        boolean head = method.equals("HEAD");
        ex.sendResponseHeaders(status, head || response.length == 0 ? -1 : response.length);
        if (!head && response.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(response);
            }
        }
    }

    /** New requests wait before reaching the registry. */
    synchronized void closeGate() {
        closedGate = true;
    }

    /** Requests flow again, those held too (unless dropped). */
    synchronized void openGate() {
        closedGate = false;
        notifyAll();
    }

    /** The requests held now are answered 503 and never reach the registry. */
    synchronized void dropHeld() {
        generation++;
        notifyAll();
    }

    /**
     * Waits until no forwarded request is on its way and at least {@code heldAtLeast} wait at the
     * closed gate: the daemon waits on fetches, none of which the registry has seen.
     */
    synchronized void awaitQuiet(int heldAtLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight > 0 || held < heldAtLeast) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("proxy not quiet within " + timeout + ": " + inFlight + " forwarded in flight, "
                        + held + " held");
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Requests whose forwarding failed, for diagnosis. */
    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    /** Every blob range forwarded so far. */
    synchronized List<Range> forwarded() {
        return List.copyOf(forwarded);
    }

    @Override
    public void close() {
        dropHeld();
        openGate();
        server.stop(0);
        pool.shutdownNow();
    }
}
