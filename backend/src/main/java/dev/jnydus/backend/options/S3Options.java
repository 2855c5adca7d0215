package dev.jnydus.backend.options;

/**
 * The {@code s3} backend: objects at {@code <scheme>://<endpoint>/<bucket>/<object_prefix><blob_id>}
 * (path style), signed with AWS Signature V4.
 *
 * @param endpoint {@code host[:port]}; empty = {@code s3.amazonaws.com}
 */
public record S3Options(String scheme, String endpoint, String region, String bucketName, String objectPrefix,
        String accessKeyId, String accessKeySecret, NetworkOptions network) implements BackendOptions {

    public static final String DEFAULT_ENDPOINT = "s3.amazonaws.com";

    public S3Options {
        scheme = Secrets.orEmpty(scheme).isEmpty() ? "https" : scheme;
        endpoint = Secrets.orEmpty(endpoint).isEmpty() ? DEFAULT_ENDPOINT : endpoint;
        Secrets.requireNonBlank(region, "s3 region");
        Secrets.requireNonBlank(bucketName, "s3 bucket_name");
        objectPrefix = Secrets.orEmpty(objectPrefix);
        accessKeyId = Secrets.orEmpty(accessKeyId);
        accessKeySecret = Secrets.orEmpty(accessKeySecret);
        network = network == null ? NetworkOptions.defaults() : network;
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("s3 scheme must be http or https, got '" + scheme + "'");
        }
    }

    @Override
    public String type() {
        return "s3";
    }

    public S3Options withNetwork(NetworkOptions newNetwork) {
        return new S3Options(scheme, endpoint, region, bucketName, objectPrefix, accessKeyId, accessKeySecret,
                newNetwork);
    }

    @Override
    public String toString() {
        return "S3Options[scheme=" + scheme + ", endpoint=" + endpoint + ", region=" + region + ", bucketName="
                + bucketName + ", objectPrefix=" + objectPrefix + ", accessKeyId=" + Secrets.mask(accessKeyId)
                + ", accessKeySecret=" + Secrets.mask(accessKeySecret) + ", network=" + network + "]";
    }
}
