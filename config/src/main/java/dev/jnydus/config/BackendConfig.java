package dev.jnydus.config;

/**
 * A storage backend: exactly one of the six kinds upstream knows. The document form is
 * {@code {"type": T, T: {...}}} (v2) or {@code {"type": T, "config": {...}}} (v1); the normalized
 * form keeps only the object for the selected type.
 */
public sealed interface BackendConfig
        permits LocalFsConfig, LocalDiskConfig, OssConfig, S3Config, RegistryConfig, HttpProxyConfig {
    String LOCALFS = "localfs";
    String LOCALDISK = "localdisk";
    String OSS = "oss";
    String S3 = "s3";
    String REGISTRY = "registry";
    String HTTP_PROXY = "http-proxy";

    /** The document's {@code backend.type}. */
    String type();
}
