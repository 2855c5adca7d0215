package dev.jnydus.backend.registry;

import dev.jnydus.backend.options.RegistryOptions;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.HttpUrl;

/**
 * Where a registry keeps a blob: {@code <scheme>://<host>/v2/<repo>/blobs/sha256:<blob_id>}. The
 * scheme can drop from https to http once, for good, when {@code skip_verify} allows it and the
 * registry turns out not to speak TLS.
 */
final class RegistryUrls {
    private final HttpUrl base;
    private final AtomicBoolean https;

    RegistryUrls(RegistryOptions o) {
        String scheme = o.https() ? "https" : "http";
        HttpUrl root = HttpUrl.parse(scheme + "://" + o.host());
        if (root == null) {
            throw new IllegalArgumentException("registry host '" + o.host() + "' is not a valid host[:port]");
        }
        this.base = root.newBuilder().encodedPath("/v2/").addPathSegments(trimSlashes(o.repo())).build();
        this.https = new AtomicBoolean(o.https());
    }

    HttpUrl blob(String blobId) {
        HttpUrl.Builder b = base.newBuilder().addPathSegment("blobs").addPathSegment("sha256:" + blobId);
        if (!https.get()) {
            b.scheme("http");
        }
        return b.build();
    }

    String host() {
        return base.host();
    }

    boolean https() {
        return https.get();
    }

    /** Switches to plain HTTP; returns false when already there. */
    boolean downgrade() {
        return https.compareAndSet(true, false);
    }

    private static String trimSlashes(String repo) {
        String r = repo;
        while (r.startsWith("/")) {
            r = r.substring(1);
        }
        while (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
