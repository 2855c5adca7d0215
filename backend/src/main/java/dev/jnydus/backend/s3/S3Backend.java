package dev.jnydus.backend.s3;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.http.HttpBackendCore;
import dev.jnydus.backend.http.HttpBlobBackend;
import dev.jnydus.backend.options.S3Options;
import dev.jnydus.common.Errno;
import okhttp3.HttpUrl;

/**
 * Blobs as objects of an S3 bucket, path style: {@code <scheme>://<endpoint>/<bucket>/<object_prefix><blob_id>}.
 * Metrics report {@code backend_type} {@code "s3"} (upstream reports {@code "oss"} for S3).
 */
public final class S3Backend extends HttpBlobBackend {
    private final HttpUrl base;
    private final String prefix;

    private S3Backend(HttpBackendCore core, HttpUrl base, String prefix) {
        super(core);
        this.base = base;
        this.prefix = prefix;
    }

    public static S3Backend create(S3Options o, BackendEnvironment env) throws BackendException {
        HttpUrl root = HttpUrl.parse(o.scheme() + "://" + o.endpoint() + "/");
        if (root == null) {
            throw new BackendException(Errno.EINVAL, "s3 endpoint '" + o.endpoint() + "' is not a valid host[:port]",
                    null);
        }
        HttpUrl base = root.newBuilder().addPathSegment(o.bucketName()).build();
        HttpBackendCore core = HttpBackendCore.withAuth("s3", o.network(), env,
                new S3SigningInterceptor(o.accessKeyId(), o.accessKeySecret(), o.region(), env.clock()));
        return new S3Backend(core, base, o.objectPrefix());
    }

    @Override
    protected HttpUrl url(String blobId) {
        return base.newBuilder().addPathSegments(prefix + blobId).build();
    }
}
