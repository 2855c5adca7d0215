package dev.jnydus.backend.options;

/**
 * The {@code oss} backend (Alibaba Cloud OSS): objects at
 * {@code <scheme>://<bucket>.<endpoint>/<object_prefix><blob_id>}, every request signed.
 */
public record OssOptions(String scheme, String endpoint, String bucketName, String objectPrefix, String accessKeyId,
        String accessKeySecret, NetworkOptions network) implements BackendOptions {

    public OssOptions {
        scheme = Secrets.orEmpty(scheme).isEmpty() ? "https" : scheme;
        Secrets.requireNonBlank(endpoint, "oss endpoint");
        Secrets.requireNonBlank(bucketName, "oss bucket_name");
        objectPrefix = Secrets.orEmpty(objectPrefix);
        accessKeyId = Secrets.orEmpty(accessKeyId);
        accessKeySecret = Secrets.orEmpty(accessKeySecret);
        network = network == null ? NetworkOptions.defaults() : network;
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("oss scheme must be http or https, got '" + scheme + "'");
        }
    }

    @Override
    public String type() {
        return "oss";
    }

    public OssOptions withNetwork(NetworkOptions newNetwork) {
        return new OssOptions(scheme, endpoint, bucketName, objectPrefix, accessKeyId, accessKeySecret, newNetwork);
    }

    @Override
    public String toString() {
        return "OssOptions[scheme=" + scheme + ", endpoint=" + endpoint + ", bucketName=" + bucketName
                + ", objectPrefix=" + objectPrefix + ", accessKeyId=" + Secrets.mask(accessKeyId)
                + ", accessKeySecret=" + Secrets.mask(accessKeySecret) + ", network=" + network + "]";
    }
}
