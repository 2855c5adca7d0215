package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.RequestSource;
import dev.jnydus.backend.options.NetworkOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OkHttpTransportTest {
    private static final byte[] BLOB = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
    private final MockWebServer server = new MockWebServer();
    private OkHttpClient client;
    private OkHttpTransport transport;

    @BeforeEach
    void start() throws Exception {
        server.start();
        client = HttpClients.direct(NetworkOptions.defaults().withTimeouts(Duration.ofMillis(800),
                Duration.ofMillis(800)));
        transport = new OkHttpTransport(client, null, HttpClients.defaultHeaders(Map.of("NYDUS_HEADER_X-Tenant", "t1",
                "PATH", "/bin")));
    }

    @AfterEach
    void stop() throws Exception {
        HttpClients.shutdown(client);
        server.shutdown();
    }

    private RangeResponse read(long off, int len) throws IOException {
        return transport.execute(RangeRequest.read("b", server.url("/blob"), off, len, RequestSource.ON_DEMAND));
    }

    @Test
    void aClientStillBeingSetUpIsWaitedForAndAFailedSetUpIsAnIoErrorOfTheRequest() throws Exception {
        CountDownLatch built = new CountDownLatch(1);
        ClientSetup later = ClientSetup.start(() -> {
            try {
                built.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return client;
        });
        OkHttpTransport t = new OkHttpTransport(later, null, Headers.of());
        server.enqueue(RangeDispatcher.serve(BLOB, "GET", "bytes=0-3"));
        CompletableFuture<RangeResponse> r = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return t.execute(RangeRequest.read("b", server.url("/blob"), 0, 4, RequestSource.ON_DEMAND));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        built.countDown();
        assertThat(new String(r.get(10, TimeUnit.SECONDS).body(), StandardCharsets.US_ASCII)).isEqualTo("0123");

        OkHttpTransport broken = new OkHttpTransport(ClientSetup.start(() -> {
            throw new IllegalStateException("cannot set up TLS: no trust store");
        }), null, Headers.of());
        assertThatThrownBy(() -> broken.execute(RangeRequest.read("b", server.url("/blob"), 0, 4,
                RequestSource.ON_DEMAND))).isInstanceOf(IOException.class)
                .hasMessageContaining("the HTTP client could not be set up").hasMessageContaining("no trust store");
    }

    @Test
    void aPartialAnswerIsExactlyTheRangeAndCarriesTheCommonHeaders() throws Exception {
        server.enqueue(RangeDispatcher.serve(BLOB, "GET", "bytes=3-7"));
        RangeResponse r = read(3, 5);
        assertThat(r.code()).isEqualTo(206);
        assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("34567");
        assertThat(r.endOfBlob()).isFalse();
        RecordedRequest rec = server.takeRequest();
        assertThat(rec.getHeader("Range")).isEqualTo("bytes=3-7");
        assertThat(rec.getHeader("User-Agent")).isEqualTo("nydusd/1.0.0");
        assertThat(rec.getHeader("X-Tenant")).isEqualTo("t1");
    }

    @Test
    void aRangeRunningPastTheEndIsShortAndSaysSo() throws Exception {
        server.enqueue(RangeDispatcher.serve(BLOB, "GET", "bytes=15-24"));
        RangeResponse r = read(15, 10);
        assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("fghij");
        assertThat(r.endOfBlob()).isTrue();
    }

    @Test
    void aServerIgnoringRangeIsSkippedToTheOffsetNotServedFromTheStart() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(200).setBody(new Buffer().write(BLOB)));
        RangeResponse r = read(12, 4);
        assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("cdef");
        server.enqueue(new MockResponse().setResponseCode(200).setBody(new Buffer().write(BLOB)));
        assertThat(read(25, 4).code()).isEqualTo(416);
    }

    @Test
    void aPartialAnswerForAnotherRangeIsRefused() {
        server.enqueue(new MockResponse().setResponseCode(206).setHeader("Content-Range", "bytes 0-4/20")
                .setBody("01234"));
        assertThatThrownBy(() -> read(5, 5)).isInstanceOf(BadResponseException.class)
                .hasMessageContaining("does not answer bytes 5-9");
    }

    @Test
    void aPartialAnswerWithoutContentRangeIsRefused() {
        server.enqueue(new MockResponse().setResponseCode(206).setBody("01234"));
        assertThatThrownBy(() -> read(0, 5)).isInstanceOf(BadResponseException.class)
                .hasMessageContaining("without Content-Range");
    }

    @Test
    void aBodyShorterThanAnnouncedIsRefused() {
        server.enqueue(new MockResponse().setResponseCode(206).setHeader("Content-Range", "bytes 0-9/20")
                .setBody("01234").setHeader("Content-Length", 10).setSocketPolicy(SocketPolicy.DISCONNECT_AT_END));
        assertThatThrownBy(() -> read(0, 10)).isInstanceOf(IOException.class);
    }

    @Test
    void aContentLengthDisagreeingWithContentRangeIsRefused() {
        server.enqueue(new MockResponse().setResponseCode(206).setHeader("Content-Range", "bytes 0-9/20")
                .setBody("012345678901"));
        assertThatThrownBy(() -> read(0, 10)).isInstanceOf(BadResponseException.class)
                .hasMessageContaining("Content-Length 12");
    }

    @Test
    void rangeNotSatisfiableIsReturnedForTheReaderToSeeEof() throws Exception {
        server.enqueue(RangeDispatcher.serve(BLOB, "GET", "bytes=20-29"));
        assertThat(read(20, 10).code()).isEqualTo(416);
    }

    @Test
    void errorsKeepTheStartOfTheirBodyForMessages() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(404).setBody("{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}"));
        RangeResponse r = read(0, 4);
        assertThat(r.code()).isEqualTo(404);
        assertThat(r.errorText()).contains("BLOB_UNKNOWN");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> read(0, 4)).isInstanceOf(IOException.class).hasMessageContaining("GET");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aBodyThatStallsHalfwayTimesOut() {
        server.enqueue(RangeDispatcher.serve(BLOB, "GET", "bytes=0-9").throttleBody(5, 10, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> read(0, 10)).isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void redirectsAreNotFollowedByOkHttp() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(307).setHeader("Location", server.url("/elsewhere")));
        RangeResponse r = read(0, 4);
        assertThat(r.isRedirect()).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void sizeRequestsAreHeads() throws Exception {
        server.enqueue(RangeDispatcher.serve(BLOB, "HEAD", null));
        RangeResponse r = transport.execute(RangeRequest.size("b", server.url("/blob")));
        assertThat(r.header("Content-Length")).isEqualTo("20");
        assertThat(server.takeRequest().getMethod()).isEqualTo("HEAD");
    }

    @Test
    void proxyRoutedRequestsGoToTheProxyInAbsoluteForm() throws Exception {
        try (MockWebServer proxy = new MockWebServer()) {
            proxy.start();
            OkHttpClient via = HttpClients.viaProxy(client, HttpClients.proxy(proxy.url("/").toString()));
            OkHttpTransport t = new OkHttpTransport(client, via, Headers.of());
            proxy.enqueue(RangeDispatcher.serve(BLOB, "GET", "bytes=0-3"));
            RangeRequest r = RangeRequest.read("b", okhttp3.HttpUrl.get("http://origin.invalid:5000/blob"), 0, 4,
                    RequestSource.ON_DEMAND).withRoute(RangeRequest.Route.PROXY);
            assertThat(new String(t.execute(r).body(), StandardCharsets.US_ASCII)).isEqualTo("0123");
            assertThat(proxy.takeRequest().getRequestLine()).isEqualTo("GET http://origin.invalid:5000/blob HTTP/1.1");
            assertThat(server.getRequestCount()).isZero();
        }
    }
}
