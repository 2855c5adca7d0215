package dev.jnydus.config;

import java.util.Objects;
import java.util.Optional;

/**
 * An OCI/Docker registry (spec 2.4 {@code registry}). {@link #toString()} hides the credentials.
 *
 * @param scheme only the exact value {@code http} selects plain HTTP; anything else is https
 * @param host {@code host[:port]}
 * @param repo repository path such as {@code library/ubuntu}
 * @param auth base64 of {@code user:password}; blank means none
 * @param registryToken bearer token sent from the first request on
 * @param blobUrlScheme forced onto redirect {@code Location} URLs when non-empty
 * @param blobRedirectedHost forced onto redirect {@code Location} URLs when non-empty
 */
public record RegistryConfig(String scheme, String host, String repo, Optional<String> auth,
                             Optional<String> registryToken, String blobUrlScheme,
                             String blobRedirectedHost, ConnectionConfig connection)
        implements BackendConfig {
    public RegistryConfig {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(repo, "repo");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(registryToken, "registryToken");
        Objects.requireNonNull(blobUrlScheme, "blobUrlScheme");
        Objects.requireNonNull(blobRedirectedHost, "blobRedirectedHost");
        Objects.requireNonNull(connection, "connection");
    }

    @Override
    public String type() {
        return REGISTRY;
    }

    /** Same registry with {@code auth} replaced (IMAGE_PULL_AUTH, API auth updates). */
    public RegistryConfig withAuth(String newAuth) {
        return new RegistryConfig(scheme, host, repo, Optional.of(newAuth), registryToken,
                blobUrlScheme, blobRedirectedHost, connection);
    }

    RegistryConfig withoutSecrets() {
        return new RegistryConfig(scheme, host, repo, Optional.empty(), Optional.empty(),
                blobUrlScheme, blobRedirectedHost, connection.withoutSecrets());
    }

    @Override
    public String toString() {
        return "RegistryConfig[scheme=" + scheme + ", host=" + host + ", repo=" + repo + ", auth="
                + auth.map(Secrets::mask).orElse("none") + ", registryToken="
                + registryToken.map(Secrets::mask).orElse("none") + ", blobUrlScheme="
                + blobUrlScheme + ", blobRedirectedHost=" + blobRedirectedHost + ", connection="
                + connection + "]";
    }
}
