package dev.jnydus.config;

import java.util.Objects;

/**
 * Aliyun OSS (spec 2.4 {@code oss}). {@link #toString()} hides the access key pair.
 *
 * @param scheme only {@code http} selects plain HTTP
 * @param objectPrefix prepended to the blob id to form the object key
 */
public record OssConfig(String scheme, String endpoint, String bucketName, String objectPrefix,
                        String accessKeyId, String accessKeySecret, ConnectionConfig connection)
        implements BackendConfig {
    public OssConfig {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(bucketName, "bucketName");
        Objects.requireNonNull(objectPrefix, "objectPrefix");
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(accessKeySecret, "accessKeySecret");
        Objects.requireNonNull(connection, "connection");
    }

    @Override
    public String type() {
        return OSS;
    }

    OssConfig withoutSecrets() {
        return new OssConfig(scheme, endpoint, bucketName, objectPrefix, "", "", connection.withoutSecrets());
    }

    @Override
    public String toString() {
        return "OssConfig[scheme=" + scheme + ", endpoint=" + endpoint + ", bucketName=" + bucketName
                + ", objectPrefix=" + objectPrefix + ", accessKeyId=" + Secrets.mask(accessKeyId)
                + ", accessKeySecret=" + Secrets.mask(accessKeySecret) + ", connection=" + connection
                + "]";
    }
}
