package dev.jnydus.config;

import dev.jnydus.common.UrlRedaction;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The rules of upstream's {@code ConfigV2::validate} and friends (spec 2.3/2.4), each failure
 * with its own message naming the v2 key. Order as upstream: backend, cache, rafs.
 */
final class ConfigValidator {
    static final long MAX_THREADS = 1024;

    private ConfigValidator() {
    }

    static void validate(NydusConfig c) throws ConfigException {
        if (c.backend().isPresent()) {
            backend(c.backend().get(), "backend");
        }
        if (c.cache().isPresent()) {
            cache(c.cache().get(), "cache");
        }
        if (c.rafs().isPresent()) {
            rafs(c.rafs().get(), "rafs");
        }
        if (c.overlay().isPresent()) {
            path(c.overlay().get().upperDir(), JsonFields.join("overlay", "upper_dir"));
            path(c.overlay().get().workDir(), JsonFields.join("overlay", "work_dir"));
        }
    }

    static void backend(BackendConfig b, String base) throws ConfigException {
        String p = JsonFields.join(base, b.type());
        if (b instanceof LocalDiskConfig) {
            nonEmpty(((LocalDiskConfig) b).devicePath(), p, "device_path");
            path(((LocalDiskConfig) b).devicePath(), JsonFields.join(p, "device_path"));
        } else if (b instanceof LocalFsConfig) {
            LocalFsConfig l = (LocalFsConfig) b;
            if (l.blobFile().isEmpty() && l.dir().isEmpty()) {
                throw ConfigException.invalid(p, "one of blob_file or dir must be set");
            }
            path(l.blobFile(), JsonFields.join(p, "blob_file"));
            path(l.dir(), JsonFields.join(p, "dir"));
            for (String alt : l.altDirs()) {
                path(alt, JsonFields.join(p, "alt_dirs"));
            }
        } else if (b instanceof OssConfig) {
            OssConfig o = (OssConfig) b;
            nonEmpty(o.endpoint(), p, "endpoint");
            nonEmpty(o.bucketName(), p, "bucket_name");
        } else if (b instanceof S3Config) {
            S3Config s = (S3Config) b;
            nonEmpty(s.region(), p, "region");
            nonEmpty(s.bucketName(), p, "bucket_name");
        } else if (b instanceof RegistryConfig) {
            RegistryConfig r = (RegistryConfig) b;
            nonEmpty(r.host(), p, "host");
            nonEmpty(r.repo(), p, "repo");
        } else if (b instanceof HttpProxyConfig) {
            String addr = ((HttpProxyConfig) b).addr();
            if (!(addr.startsWith("http://") || addr.startsWith("https://") || isExistingAbsolutePath(addr))) {
                throw ConfigException.invalid(JsonFields.join(p, "addr"), "\"" + UrlRedaction.redact(addr)
                        + "\" is neither an http:// or https:// URL nor an existing absolute Unix socket path");
            }
        }
        caCertFiles(b, p);
    }

    private static void caCertFiles(BackendConfig b, String base) throws ConfigException {
        ConnectionConfig c = null;
        if (b instanceof RegistryConfig) {
            c = ((RegistryConfig) b).connection();
        } else if (b instanceof OssConfig) {
            c = ((OssConfig) b).connection();
        } else if (b instanceof S3Config) {
            c = ((S3Config) b).connection();
        } else if (b instanceof HttpProxyConfig) {
            c = ((HttpProxyConfig) b).connection();
        }
        if (c != null) {
            for (String f : c.caCertFiles()) {
                path(f, JsonFields.join(base, "ca_cert_files"));
            }
        }
    }

    private static boolean isExistingAbsolutePath(String s) {
        try {
            Path path = Paths.get(s);
            return !s.isEmpty() && path.isAbsolute() && Files.exists(path);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    static void cache(CacheConfig c, String base) throws ConfigException {
        switch (c.type()) {
            case CacheConfig.BLOBCACHE:
            case CacheConfig.FILECACHE:
                if (c.fileCache().isEmpty()) {
                    throw ConfigException.invalid(JsonFields.join(base, "filecache"),
                            "required for cache type \"" + c.type() + "\"");
                }
                nonEmpty(c.fileCache().get().workDir(), JsonFields.join(base, "filecache"), "work_dir");
                path(c.fileCache().get().workDir(), JsonFields.join(JsonFields.join(base, "filecache"), "work_dir"));
                break;
            case CacheConfig.FSCACHE:
                if (c.fsCache().isEmpty()) {
                    throw ConfigException.invalid(JsonFields.join(base, "fscache"),
                            "required for cache type \"fscache\"");
                }
                nonEmpty(c.fsCache().get().workDir(), JsonFields.join(base, "fscache"), "work_dir");
                path(c.fsCache().get().workDir(), JsonFields.join(JsonFields.join(base, "fscache"), "work_dir"));
                break;
            case "":
            case CacheConfig.DUMMYCACHE:
                break;
            default:
                throw ConfigException.invalid(JsonFields.join(base, "type"), "unknown cache type \""
                        + c.type() + "\" (expected blobcache, filecache, fscache, dummycache or \"\")");
        }
        prefetch(c.prefetch(), JsonFields.join(base, "prefetch"));
    }

    static void rafs(RafsConfig r, String base) throws ConfigException {
        if (!RafsConfig.MODE_DIRECT.equals(r.mode()) && !RafsConfig.MODE_CACHED.equals(r.mode())) {
            throw ConfigException.invalid(JsonFields.join(base, "mode"),
                    "must be \"direct\" or \"cached\", got \"" + r.mode() + "\"");
        }
        batchSize(r.batchSize(), JsonFields.join(base, "batch_size"));
        prefetch(r.prefetch(), JsonFields.join(base, "prefetch"));
    }

    /** Only an enabled prefetch is checked, as upstream. */
    static void prefetch(PrefetchConfig p, String base) throws ConfigException {
        if (!p.enable()) {
            return;
        }
        batchSize(p.batchSize(), JsonFields.join(base, "batch_size"));
        if (p.threads() < 1 || p.threads() > MAX_THREADS) {
            throw ConfigException.invalid(JsonFields.join(base, "threads"),
                    p.threads() + " is out of range 1..=" + MAX_THREADS);
        }
    }

    private static void batchSize(long size, String path) throws ConfigException {
        if (size > RafsConfig.MAX_BATCH_SIZE) {
            throw ConfigException.invalid(path, size + " exceeds the maximum of "
                    + RafsConfig.MAX_BATCH_SIZE + " (0x10000000)");
        }
    }

    /**
     * A file name handed to the kernel: a NUL would end it early (Java refuses to build such a
     * path at all), so it is refused here, where the message can name the key.
     */
    private static void path(String value, String key) throws ConfigException {
        int nul = value.indexOf('\0');
        if (nul >= 0) {
            throw ConfigException.invalid(key, "contains a NUL character at " + nul + " (\""
                    + value.replace("\0", "\\0") + "\")");
        }
    }

    private static void nonEmpty(String value, String base, String key) throws ConfigException {
        if (value.isEmpty()) {
            throw ConfigException.invalid(JsonFields.join(base, key), "must not be empty");
        }
    }
}
