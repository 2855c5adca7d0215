package dev.jnydus.backend.http;

import dev.jnydus.backend.RangeProgress;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * The transport over OkHttp: a direct client, and a second client configured with the HTTP proxy
 * for requests routed {@link RangeRequest.Route#PROXY}. Adds the headers every request carries
 * ({@code User-Agent: nydusd/1.0.0}, {@code NYDUS_HEADER_*}) unless an interceptor set them.
 *
 * <p>Range checking, because a body is only data when it is exactly the asked range:
 * <ul>
 *   <li>206: {@code Content-Range} must start at the requested offset and end within the request;
 *       the body must have exactly that many bytes;</li>
 *   <li>200 to a ranged GET (a server that ignores {@code Range}): the body is the whole blob, so
 *       the reader skips to the offset instead of serving the blob's first bytes (upstream copies
 *       from the start);</li>
 *   <li>416: the offset is at or past the end; returned as is, the reader sees EOF.</li>
 * </ul>
 * A read's {@link RangeProgress} is told the bytes of the range as they are read from the body,
 * after the status and range were checked and before the body's end is.
 */
final class OkHttpTransport implements Transport {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final int ERROR_BODY_LIMIT = 4096;

    private final Supplier<OkHttpClient> direct;
    private final Supplier<OkHttpClient> proxied;
    private final Headers defaults;

    /**
     * @param proxied the client for proxy-routed requests, or null when no proxy is configured
     * @param defaults headers added to every request that does not already carry them
     */
    OkHttpTransport(OkHttpClient direct, OkHttpClient proxied, Headers defaults) {
        this(ClientSetup.ready(Objects.requireNonNull(direct)), proxied == null ? null : ClientSetup.ready(proxied),
                defaults);
    }

    /** As above, with clients that may still be being set up (the first request waits for them). */
    OkHttpTransport(Supplier<OkHttpClient> direct, Supplier<OkHttpClient> proxied, Headers defaults) {
        this.direct = Objects.requireNonNull(direct);
        this.proxied = proxied;
        this.defaults = Objects.requireNonNull(defaults);
    }

    @Override
    public RangeResponse execute(RangeRequest req) throws IOException {
        Supplier<OkHttpClient> chosen = direct;
        if (req.route() == RangeRequest.Route.PROXY) {
            if (proxied == null) {
                throw new IllegalStateException("request routed to a proxy, but none is configured: " + req.describe());
            }
            chosen = proxied;
        }
        OkHttpClient client;
        try {
            client = chosen.get();
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage() + " (" + req.describe() + ")", e);
        }
        Request.Builder b = new Request.Builder().url(req.url()).headers(req.headers());
        for (int i = 0; i < defaults.size(); i++) {
            if (req.header(defaults.name(i)) == null) {
                b.header(defaults.name(i), defaults.value(i));
            }
        }
        if (req.kind() == RangeRequest.Kind.READ) {
            b.header("Range", req.rangeHeader());
            b.get();
        } else {
            b.head();
        }
        Call call = client.newCall(b.build());
        try (Response resp = call.execute()) {
            return read(req, resp);
        } catch (IOException e) {
            throw withContext(req, e);
        }
    }

    private static IOException withContext(RangeRequest req, IOException e) {
        if (e instanceof BadResponseException) {
            return e;
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
                + e.getMessage();
        // A timeout is an InterruptedIOException to OkHttp; to us it is a failed request (EIO), so
        // the type is not kept, only the cause.
        return new IOException(req.describe() + ": " + msg, e);
    }

    private RangeResponse read(RangeRequest req, Response resp) throws IOException {
        int code = resp.code();
        Headers headers = resp.headers();
        ResponseBody body = resp.body();
        if (req.kind() == RangeRequest.Kind.SIZE || code < 200 || code >= 300) {
            byte[] text = req.kind() == RangeRequest.Kind.SIZE ? new byte[0] : errorBody(body);
            return new RangeResponse(code, headers, text, resp.request().url(), false);
        }
        long announced = body.contentLength();
        BufferedSource src = body.source();
        if (code == 206) {
            String cr = resp.header("Content-Range");
            if (cr == null) {
                throw new BadResponseException(req.describe() + ": 206 without Content-Range");
            }
            Matcher m = CONTENT_RANGE.matcher(cr.trim());
            if (!m.matches()) {
                throw new BadResponseException(req.describe() + ": unparsable Content-Range '" + cr + "'");
            }
            long start = Long.parseLong(m.group(1));
            long end = Long.parseLong(m.group(2));
            long want = req.offset() + req.length() - 1;
            if (start != req.offset() || end < start || end > want) {
                throw new BadResponseException(req.describe() + ": Content-Range '" + cr
                        + "' does not answer bytes " + req.offset() + "-" + want);
            }
            int n = Math.toIntExact(end - start + 1);
            if (announced >= 0 && announced != n) {
                throw new BadResponseException(req.describe() + ": Content-Length " + announced
                        + " disagrees with Content-Range '" + cr + "'");
            }
            byte[] data = readExactly(req, src, n);
            requireEnd(req, src, n);
            boolean eob = !"*".equals(m.group(3)) && end + 1 >= Long.parseLong(m.group(3));
            return new RangeResponse(code, headers, data, resp.request().url(), eob && end < want);
        }
        // 200 (or another 2xx) to a ranged GET: the whole blob from its first byte.
        if (announced >= 0 && announced <= req.offset()) {
            return new RangeResponse(416, headers, new byte[0], resp.request().url(), true);
        }
        skipExactly(req, src, req.offset());
        int n = req.length();
        boolean eob = false;
        if (announced >= 0 && announced - req.offset() < n) {
            n = (int) (announced - req.offset());
            eob = true;
        }
        byte[] data = announced >= 0 ? readExactly(req, src, n) : readUpTo(req, src, n);
        if (data.length < req.length()) {
            eob = true;
        }
        return new RangeResponse(code, headers, data, resp.request().url(), eob);
    }

    private static byte[] readExactly(RangeRequest req, BufferedSource src, int n) throws IOException {
        byte[] data = readUpTo(req, src, n);
        if (data.length < n) {
            throw new BadResponseException(req.describe() + ": body ended after " + data.length + " of " + n
                    + " bytes");
        }
        return data;
    }

    /** Reads up to n bytes of the range, telling the request's progress listener as they come. */
    private static byte[] readUpTo(RangeRequest req, BufferedSource src, int n) throws IOException {
        byte[] target = req.target();
        byte[] data = target != null && target.length == n ? target : new byte[n];
        RangeProgress progress = req.progress();
        int got = 0;
        while (got < n) {
            int r = src.read(data, got, n - got);
            if (r < 0) {
                break;
            }
            got += r;
            if (progress != RangeProgress.NONE) {
                progress.arrived(req.offset(), data, got);
            }
        }
        return got == n ? data : Arrays.copyOf(data, got);
    }

    private static void requireEnd(RangeRequest req, BufferedSource src, int n) throws IOException {
        // A body longer than its Content-Range is as wrong as a shorter one.
        if (!src.exhausted()) {
            throw new BadResponseException(req.describe() + ": body is longer than the " + n + " bytes announced");
        }
    }

    private static void skipExactly(RangeRequest req, BufferedSource src, long n) throws IOException {
        try {
            src.skip(n);
        } catch (EOFException e) {
            throw new BadResponseException(req.describe() + ": body ended before offset " + n, e);
        }
    }

    private static byte[] errorBody(ResponseBody body) {
        if (body == null) {
            return new byte[0];
        }
        try (InputStream in = body.byteStream()) {
            return in.readNBytes(ERROR_BODY_LIMIT);
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
