package dev.jnydus.backend;

import dev.jnydus.backend.httpproxy.HttpProxyBackend;
import dev.jnydus.backend.localfs.LocalFsBackend;
import dev.jnydus.backend.options.BackendOptions;
import dev.jnydus.backend.options.HttpProxyOptions;
import dev.jnydus.backend.options.LocalDiskOptions;
import dev.jnydus.backend.options.LocalFsOptions;
import dev.jnydus.backend.options.OssOptions;
import dev.jnydus.backend.options.RegistryOptions;
import dev.jnydus.backend.options.S3Options;
import dev.jnydus.backend.oss.OssBackend;
import dev.jnydus.backend.registry.RegistryBackend;
import dev.jnydus.backend.s3.S3Backend;
import dev.jnydus.common.Errno;
import java.util.Set;

/**
 * The one place that turns a backend type and its options into a {@link BlobBackend}. The daemon
 * maps its configuration onto the options records and calls {@link #create}; an unknown or
 * unsupported type fails here, at configuration time, with a message that says so.
 */
public final class BackendFactory {
    /** Types {@link #create} builds. */
    public static final Set<String> SUPPORTED = Set.of("registry", "oss", "s3", "http-proxy", "localfs");
    /** {@link #SUPPORTED}, sorted, for messages. */
    private static final String SUPPORTED_LIST = String.join(", ", SUPPORTED.stream().sorted().toList());

    private BackendFactory() {
    }

    /**
     * Builds the backend of {@code type}.
     *
     * @throws BackendException EINVAL when {@code type} does not match the options, EOPNOTSUPP for
     *     {@code localdisk} and the Unix-socket form of {@code http-proxy}
     */
    public static BlobBackend create(String type, BackendOptions options, BackendEnvironment env)
            throws BackendException {
        if (!type.equals(options.type())) {
            throw new BackendException(Errno.EINVAL, "backend type '" + type + "' does not match "
                    + options.getClass().getSimpleName() + " (type '" + options.type() + "')", null);
        }
        if (options instanceof RegistryOptions o) {
            return RegistryBackend.create(o, env);
        } else if (options instanceof OssOptions o) {
            return OssBackend.create(o, env);
        } else if (options instanceof S3Options o) {
            return S3Backend.create(o, env);
        } else if (options instanceof HttpProxyOptions o) {
            return HttpProxyBackend.create(o, env);
        } else if (options instanceof LocalFsOptions o) {
            return LocalFsBackend.create(o, env.ticker());
        } else if (options instanceof LocalDiskOptions o) {
            throw new BackendException(Errno.EOPNOTSUPP, "backend type 'localdisk' (device " + o.devicePath()
                    + ") is not supported; supported types: " + SUPPORTED_LIST, null);
        }
        throw new BackendException(Errno.EINVAL, "unknown backend type '" + type + "'", null);
    }

    /** Rejects a type string this factory cannot build, before any options are mapped. */
    public static void requireSupported(String type) throws BackendException {
        if (!SUPPORTED.contains(type)) {
            boolean localDisk = "localdisk".equals(type);
            throw new BackendException(localDisk ? Errno.EOPNOTSUPP : Errno.EINVAL, "backend type '" + type + "' "
                    + (localDisk ? "is not supported" : "is unknown") + "; supported types: " + SUPPORTED_LIST, null);
        }
    }
}
