package dev.jnydus.backend.oss;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.http.HttpBackendCore;
import dev.jnydus.backend.http.HttpBlobBackend;
import dev.jnydus.backend.options.OssOptions;
import dev.jnydus.common.Errno;
import okhttp3.HttpUrl;

/**
 * Blobs as objects of an Alibaba Cloud OSS bucket, addressed virtual-hosted style:
 * {@code <scheme>://<bucket>.<endpoint>/<object_prefix><blob_id>}.
 */
public final class OssBackend extends HttpBlobBackend {
    private final HttpUrl base;
    private final String prefix;

    private OssBackend(HttpBackendCore core, HttpUrl base, String prefix) {
        super(core);
        this.base = base;
        this.prefix = prefix;
    }

    public static OssBackend create(OssOptions o, BackendEnvironment env) throws BackendException {
        HttpUrl base = HttpUrl.parse(o.scheme() + "://" + o.bucketName() + "." + o.endpoint() + "/");
        if (base == null) {
            throw new BackendException(Errno.EINVAL, "oss bucket '" + o.bucketName() + "' at endpoint '"
                    + o.endpoint() + "' does not make a valid host", null);
        }
        HttpBackendCore core = HttpBackendCore.withAuth("oss", o.network(), env,
                new OssSigningInterceptor(o.accessKeyId(), o.accessKeySecret(), o.bucketName(), env.clock()));
        return new OssBackend(core, base, o.objectPrefix());
    }

    @Override
    protected HttpUrl url(String blobId) {
        return base.newBuilder().addPathSegments(prefix + blobId).build();
    }
}
