package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.RangeProgress;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.options.NetworkOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A read's bytes are told to its {@link RangeProgress} as they come off the socket: a server on
 * loopback sends the first half of the body and sends the rest only once the listener has seen
 * that half, so a transport that reported only at the end would never get the rest. The bytes
 * land in the caller's own array.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RangeProgressTest {
    private static final byte[] BLOB = new byte[64 << 10];

    static {
        for (int i = 0; i < BLOB.length; i++) {
            BLOB[i] = (byte) (i * 31 + 7);
        }
    }

    private final ServerSocket server;
    private OkHttpClient client;
    private final CountDownLatch halfSeen = new CountDownLatch(1);

    RangeProgressTest() throws Exception {
        server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    }

    @BeforeEach
    void start() throws Exception {
        client = HttpClients.direct(NetworkOptions.defaults().withTimeouts(Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
    }

    @AfterEach
    void stop() throws Exception {
        HttpClients.shutdown(client);
        server.close();
    }

    /** Answers one request with {@code status}: the body's first half, then the rest once released. */
    private CompletableFuture<Void> serveOnce(int status, long offset, int length) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    // the request head is not looked at
                }
                byte[] body = status == 206 ? Arrays.copyOfRange(BLOB, (int) offset, (int) offset + length) : BLOB;
                String head = "HTTP/1.1 " + status + (status == 206 ? " Partial Content" : " OK") + "\r\n"
                        + "Content-Length: " + body.length + "\r\n"
                        + (status == 206 ? "Content-Range: bytes " + offset + "-" + (offset + length - 1) + "/"
                        + BLOB.length + "\r\n" : "")
                        + "Connection: close\r\n\r\n";
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                int half = status == 206 ? body.length / 2 : (int) offset + length / 2;
                out.write(body, 0, half);
                out.flush();
                if (!halfSeen.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the first half was never told");
                }
                out.write(body, half, body.length - half);
                out.flush();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private List<Integer> readTelling(long offset, int length, byte[] into) throws Exception {
        HttpUrl url = HttpUrl.get("http://127.0.0.1:" + server.getLocalPort() + "/blob");
        OkHttpTransport transport = new OkHttpTransport(client, null, HttpClients.defaultHeaders(Map.of()));
        HttpBlobReader reader = new HttpBlobReader("b", id -> url, new InterceptorChain(List.of(), transport));
        List<Integer> told = new CopyOnWriteArrayList<>();
        reader.readFully(ByteBuffer.wrap(into), offset, RequestSource.ON_DEMAND, (off, data, n) -> {
            assertThat(off).isEqualTo(offset);
            // Read straight into the caller's array: no second copy of a fetched range.
            assertThat(data).isSameAs(into);
            assertThat(Arrays.copyOf(data, n)).isEqualTo(Arrays.copyOfRange(BLOB, (int) offset, (int) offset + n));
            told.add(n);
            if (n >= length / 2) {
                halfSeen.countDown();
            }
        });
        return told;
    }

    @Test
    void aPartialAnswerIsToldAsItArrives() throws Exception {
        CompletableFuture<Void> served = serveOnce(206, 4096, 32 << 10);
        byte[] got = new byte[32 << 10];
        List<Integer> told = readTelling(4096, got.length, got);
        served.get(30, TimeUnit.SECONDS);
        assertThat(got).isEqualTo(Arrays.copyOfRange(BLOB, 4096, 4096 + got.length));
        assertThat(told).isSorted().last().isEqualTo(got.length);
        assertThat(told.get(0)).isLessThan(got.length);
    }

    @Test
    void aServerThatIgnoresTheRangeIsToldFromTheAskedOffset() throws Exception {
        CompletableFuture<Void> served = serveOnce(200, 8192, 16 << 10);
        byte[] got = new byte[16 << 10];
        List<Integer> told = readTelling(8192, got.length, got);
        served.get(30, TimeUnit.SECONDS);
        assertThat(got).isEqualTo(Arrays.copyOfRange(BLOB, 8192, 8192 + got.length));
        assertThat(told).isSorted().last().isEqualTo(got.length);
    }
}
