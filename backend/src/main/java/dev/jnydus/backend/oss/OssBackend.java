package dev.jnydus.backend.oss;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.http.HttpBackendCore;
import dev.jnydus.backend.options.OssOptions;
import dev.jnydus.common.Errno;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * Blobs as objects of an Alibaba Cloud OSS bucket, addressed virtual-hosted style:
 * {@code <scheme>://<bucket>.<endpoint>/<object_prefix><blob_id>}.
 */
public final class OssBackend implements BlobBackend {
    private final HttpBackendCore core;
    private final HttpUrl base;
    private final String prefix;

    private OssBackend(HttpBackendCore core, HttpUrl base, String prefix) {
        this.core = core;
        this.base = base;
        this.prefix = prefix;
    }

    public static OssBackend create(OssOptions o, BackendEnvironment env) throws BackendException {
        HttpUrl base = HttpUrl.parse(o.scheme() + "://" + o.bucketName() + "." + o.endpoint() + "/");
        if (base == null) {
            throw new BackendException(Errno.EINVAL, "oss bucket '" + o.bucketName() + "' at endpoint '"
                    + o.endpoint() + "' does not make a valid host", null);
        }
        HttpBackendCore core = new HttpBackendCore("oss", o.network(), env);
        core.install(List.of(new OssSigningInterceptor(o.accessKeyId(), o.accessKeySecret(), o.bucketName(),
                env.clock())), "", "", () -> true);
        return new OssBackend(core, base, o.objectPrefix());
    }

    HttpUrl url(String blobId) {
        return base.newBuilder().addPathSegments(prefix + blobId).build();
    }

    @Override
    public String type() {
        return "oss";
    }

    @Override
    public BlobReader open(String blobId) throws BackendException {
        if (blobId == null || blobId.isEmpty() || blobId.contains("/")) {
            throw new BackendException(Errno.EINVAL, "invalid oss blob id '" + blobId + "'", null);
        }
        return core.reader(blobId, this::url);
    }

    @Override
    public Optional<BackendMetrics> metrics() {
        return Optional.of(core.metrics());
    }

    public HttpBackendCore http() {
        return core;
    }

    @Override
    public void close() {
        core.close();
    }
}
