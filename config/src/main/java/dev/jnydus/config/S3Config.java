package dev.jnydus.config;

import java.util.Objects;

/**
 * Amazon S3 or a compatible store (spec 2.4 {@code s3}). {@link #toString()} hides the key pair.
 *
 * @param endpoint empty means {@code s3.amazonaws.com}
 */
public record S3Config(String scheme, String endpoint, String region, String bucketName,
                       String objectPrefix, String accessKeyId, String accessKeySecret,
                       ConnectionConfig connection) implements BackendConfig {
    public S3Config {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucketName, "bucketName");
        Objects.requireNonNull(objectPrefix, "objectPrefix");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(accessKeySecret, "accessKeySecret");
        Objects.requireNonNull(connection, "connection");
    }

    @Override
    public String type() {
        return S3;
    }

    S3Config withoutSecrets() {
        return new S3Config(scheme, endpoint, region, bucketName, objectPrefix, "", "", connection.withoutSecrets());
    }

    @Override
    public String toString() {
        return "S3Config[scheme=" + scheme + ", endpoint=" + endpoint + ", region=" + region
                + ", bucketName=" + bucketName + ", objectPrefix=" + objectPrefix + ", accessKeyId="
                + Secrets.mask(accessKeyId) + ", accessKeySecret=" + Secrets.mask(accessKeySecret)
                + ", connection=" + connection + "]";
    }
}
