package dev.jnydus.backend.options;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The {@code registry} backend: blobs at {@code <scheme>://<host>/v2/<repo>/blobs/sha256:<id>}.
 *
 * @param scheme only the exact value {@code http} selects plain HTTP; anything else is https (as upstream)
 * @param host {@code host[:port]} of the registry
 * @param repo repository, e.g. {@code library/ubuntu}
 * @param auth base64 of {@code user:password}; empty = none (the factory then consults
 *     {@code IMAGE_PULL_AUTH})
 * @param registryToken a bearer token used from the first request; empty = none
 * @param blobUrlScheme forces this scheme on redirect locations; empty = keep
 * @param blobRedirectedHost forces this host on redirect locations; empty = keep
 * @param network timeouts, retries, TLS, proxy and mirrors
 */
public record RegistryOptions(String scheme, String host, String repo, String auth, String registryToken,
        String blobUrlScheme, String blobRedirectedHost, NetworkOptions network) implements BackendOptions {

    public RegistryOptions {
        scheme = Secrets.orEmpty(scheme).isEmpty() ? "https" : scheme;
        Secrets.requireNonBlank(host, "registry host");
        Secrets.requireNonBlank(repo, "registry repo");
        auth = Secrets.orEmpty(auth).trim();
        registryToken = Secrets.orEmpty(registryToken).trim();
        blobUrlScheme = Secrets.orEmpty(blobUrlScheme);
        blobRedirectedHost = Secrets.orEmpty(blobRedirectedHost);
        network = network == null ? NetworkOptions.defaults() : network;
        if (!auth.isEmpty()) {
            validateAuth(auth);
        }
        if (!blobUrlScheme.isEmpty() && !blobUrlScheme.equals("http") && !blobUrlScheme.equals("https")) {
            throw new IllegalArgumentException("blob_url_scheme must be http or https, got '" + blobUrlScheme + "'");
        }
    }

    /** An anonymous registry with upstream's defaults. */
    public static RegistryOptions of(String scheme, String host, String repo) {
        return new RegistryOptions(scheme, host, repo, "", "", "", "", null);
    }

    @Override
    public String type() {
        return "registry";
    }

    /** True unless the scheme is exactly {@code http}, as upstream decides. */
    public boolean https() {
        return !scheme.equals("http");
    }

    public RegistryOptions withAuth(String newAuth) {
        return new RegistryOptions(scheme, host, repo, newAuth, registryToken, blobUrlScheme, blobRedirectedHost,
                network);
    }

    public RegistryOptions withRegistryToken(String token) {
        return new RegistryOptions(scheme, host, repo, auth, token, blobUrlScheme, blobRedirectedHost, network);
    }

    public RegistryOptions withBlobRedirect(String newScheme, String newHost) {
        return new RegistryOptions(scheme, host, repo, auth, registryToken, newScheme, newHost, network);
    }

    public RegistryOptions withNetwork(NetworkOptions newNetwork) {
        return new RegistryOptions(scheme, host, repo, auth, registryToken, blobUrlScheme, blobRedirectedHost,
                newNetwork);
    }

    /** {@code base64(user:password)} for basic auth. */
    public static String basicAuth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Upstream refuses an {@code auth} that is not base64 of text containing a colon. */
    static void validateAuth(String auth) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(auth);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("registry auth is not valid base64", e);
        }
        String text = new String(raw, StandardCharsets.UTF_8);
        if (text.indexOf(':') < 0) {
            throw new IllegalArgumentException("registry auth must be base64 of 'user:password' (no ':' found)");
        }
    }

    @Override
    public String toString() {
        return "RegistryOptions[scheme=" + scheme + ", host=" + host + ", repo=" + repo + ", auth="
                + Secrets.mask(auth) + ", registryToken=" + Secrets.mask(registryToken) + ", blobUrlScheme="
                + blobUrlScheme + ", blobRedirectedHost=" + blobRedirectedHost + ", network=" + network + "]";
    }
}
