package dev.jnydus.backend.registry;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.http.HttpBackendCore;
import dev.jnydus.backend.http.HttpBlobBackend;
import dev.jnydus.backend.http.Interceptor;
import dev.jnydus.backend.options.RegistryOptions;
import dev.jnydus.common.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * Blobs of one image repository in an OCI distribution registry. Build with {@link #create};
 * thread-safe; {@link #close} stops health checks and token refresh.
 *
 * <p>Credentials: the configured {@code auth}; {@code registry_token} seeds a bearer token. Upstream's
 * {@code IMAGE_PULL_AUTH} override belongs to the startup config only, so nydusd applies it there
 * ({@code NydusConfig.withImagePullAuth}), not here for every mount.
 */
public final class RegistryBackend extends HttpBlobBackend {
    private static final Pattern BLOB_ID = Pattern.compile("[A-Za-z0-9]+");

    private final RegistryUrls urls;
    private final RegistryAuth auth;

    private RegistryBackend(HttpBackendCore core, RegistryUrls urls, RegistryAuth auth) {
        super(core);
        this.urls = urls;
        this.auth = auth;
    }

    public static RegistryBackend create(RegistryOptions options, BackendEnvironment env) throws BackendException {
        String basic = options.auth();
        RegistryUrls urls;
        try {
            urls = new RegistryUrls(options);
        } catch (IllegalArgumentException e) {
            throw new BackendException(Errno.EINVAL, e.getMessage(), e);
        }
        HttpBackendCore core = new HttpBackendCore("registry", options.network(), env);
        RegistryAuth auth = new RegistryAuth(new TokenFetcher(core.directClient()), basic, options.registryToken(),
                env.ticker(), env.random(), env.executor());
        List<Interceptor> authStep = new ArrayList<>();
        authStep.add(new RegistryAuthInterceptor(auth));
        if (options.network().skipVerify() && options.https()) {
            authStep.add(new TlsFallbackInterceptor(urls));
        }
        core.install(authStep, options.blobUrlScheme(), options.blobRedirectedHost(), auth::authorized);
        return new RegistryBackend(core, urls, auth);
    }

    @Override
    protected HttpUrl url(String blobId) {
        return urls.blob(blobId);
    }

    @Override
    protected boolean validBlobId(String blobId) {
        return blobId != null && BLOB_ID.matcher(blobId).matches();
    }

    /** Applies a hot {@code registry_auth} update (base64 {@code user:password}; empty clears). */
    public void updateAuth(String base64UserPassword) {
        auth.updateCredentials(base64UserPassword == null ? "" : base64UserPassword.trim());
    }

    @Override
    public String toString() {
        return "RegistryBackend[" + urls.blob("<id>").toString().replace("sha256:%3Cid%3E", "") + "]";
    }
}
