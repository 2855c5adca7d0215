package dev.jnydus.backend.http;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RangeProgress;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.common.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Function;
import okhttp3.HttpUrl;

/**
 * The one reader of every HTTP backend: it asks its URL builder where the blob is and sends range
 * requests down the backend's interceptor chain. Registry, OSS, S3 and http-proxy readers differ
 * only in the URL builder and in the auth interceptor of the chain.
 *
 * <p>The URL is asked for on every request because it can change under a reader (the registry
 * switches to plain HTTP once when {@code skip_verify} allows it).
 */
public final class HttpBlobReader implements BlobReader {
    private final String blobId;
    private final Function<String, HttpUrl> urls;
    private final InterceptorChain chain;
    private volatile long size = -1;

    public HttpBlobReader(String blobId, Function<String, HttpUrl> urls, InterceptorChain chain) {
        this.blobId = blobId;
        this.urls = urls;
        this.chain = chain;
    }

    @Override
    public String blobId() {
        return blobId;
    }

    @Override
    public long size() throws IOException {
        long s = size;
        if (s >= 0) {
            return s;
        }
        RangeRequest req = RangeRequest.size(blobId, urls.apply(blobId));
        RangeResponse resp = execute(req);
        if (!resp.isSuccessful()) {
            throw failed(req, resp);
        }
        String cl = resp.header("Content-Length");
        try {
            s = cl == null ? -1 : Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
            s = -1;
        }
        if (s < 0) {
            throw new BackendException("blob " + blobId + ": " + req.describe() + ": invalid Content-Length '" + cl
                    + "'");
        }
        size = s;
        return s;
    }

    @Override
    public int tryRead(ByteBuffer dst, long offset) throws IOException {
        return tryRead(dst, offset, RequestSource.ON_DEMAND);
    }

    @Override
    public int tryRead(ByteBuffer dst, long offset, RequestSource source) throws IOException {
        return tryRead(dst, offset, source, RangeProgress.NONE);
    }

    @Override
    public int tryRead(ByteBuffer dst, long offset, RequestSource source, RangeProgress progress)
            throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        long known = size;
        if (known >= 0 && offset >= known) {
            return -1;
        }
        byte[] target = wholeArray(dst);
        RangeRequest req = RangeRequest.read(blobId, urls.apply(blobId), offset, dst.remaining(), source)
                .withProgress(progress).withTarget(target);
        RangeResponse resp = execute(req);
        if (resp.code() == 416) {
            return -1;
        }
        if (!resp.isSuccessful()) {
            throw failed(req, resp);
        }
        byte[] data = resp.body();
        if (data.length == 0) {
            if (resp.endOfBlob()) {
                return -1;
            }
            throw new BackendException("blob " + blobId + ": " + req.describe() + ": empty answer");
        }
        if (data == target) {
            dst.position(dst.position() + data.length);
        } else {
            dst.put(data);
        }
        return data.length;
    }

    /** The array behind {@code dst} when {@code dst} is all of it, so the body is read straight into it. */
    private static byte[] wholeArray(ByteBuffer dst) {
        if (dst.hasArray() && !dst.isReadOnly() && dst.arrayOffset() == 0 && dst.position() == 0
                && dst.limit() == dst.array().length) {
            return dst.array();
        }
        return null;
    }

    private RangeResponse execute(RangeRequest req) throws IOException {
        try {
            return chain.execute(req);
        } catch (BackendException e) {
            throw e;
        } catch (java.io.InterruptedIOException e) {
            throw new BackendException(Errno.EINTR, "blob " + blobId + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BackendException("blob " + blobId + ": " + e.getMessage(), e);
        }
    }

    private BackendException failed(RangeRequest req, RangeResponse resp) {
        String text = resp.errorText();
        String why = switch (resp.code()) {
            case 401 -> "unauthorized";
            case 403 -> resp.isProxyError() ? "refused by the proxy" : "forbidden";
            case 404 -> "not found";
            case 429 -> "rate limited";
            default -> "HTTP " + resp.code();
        };
        return new BackendException("blob " + blobId + ": " + req.describe() + " from " + Redact.url(resp.url())
                + ": " + why + (text.isEmpty() ? "" : " (" + text + ")"));
    }
}
