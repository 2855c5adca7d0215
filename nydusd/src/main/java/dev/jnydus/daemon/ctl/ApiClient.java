package dev.jnydus.daemon.ctl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A small HTTP/1.1 client for nydusd's API socket, one keep-alive connection per instance (as
 * the snapshotter's client holds one): enough for {@code nydusctl} and tests, no dependencies.
 */
public final class ApiClient implements AutoCloseable {
    /** One answer: status, headers (lower-case names) and body. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);

    private ApiClient(SocketChannel channel) {
        this.channel = channel;
        in.flip();
    }

    public static ApiClient connect(Path socket) throws IOException {
        return new ApiClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    public Response get(String path) throws IOException {
        return send("GET", path, null);
    }

    /** Sends one request ({@code body} null for none) and reads its response. */
    public Response send(String method, String path, String body) throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: unix\r\nContent-Length: " + b.length + "\r\n"
                + (b.length > 0 ? "Content-Type: application/json\r\n" : "") + "\r\n";
        writeRaw(head.getBytes(StandardCharsets.US_ASCII));
        writeRaw(b);
        return read();
    }

    /** Writes bytes as they are (for tests that send broken or partial requests). */
    public void writeRaw(byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /** Reads one response. */
    public Response read() throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int c = l.indexOf(':');
            if (c > 0) {
                headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
            }
        }
        int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = new byte[len];
        for (int i = 0; i < len; i++) {
            body[i] = next();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            byte c = next();
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private byte next() throws IOException {
        if (!in.hasRemaining()) {
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new IOException("the daemon closed the connection");
            }
        }
        return in.get();
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
