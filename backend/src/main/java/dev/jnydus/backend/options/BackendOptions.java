package dev.jnydus.backend.options;

/** The options of one backend type; {@link #type()} is the upstream type string. */
public sealed interface BackendOptions
        permits RegistryOptions, OssOptions, S3Options, HttpProxyOptions, LocalFsOptions, LocalDiskOptions {

    /** {@code registry}, {@code oss}, {@code s3}, {@code http-proxy}, {@code localfs} or {@code localdisk}. */
    String type();
}
