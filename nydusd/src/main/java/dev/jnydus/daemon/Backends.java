package dev.jnydus.daemon;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BackendFactory;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.options.BackendOptions;
import dev.jnydus.backend.options.HttpProxyOptions;
import dev.jnydus.backend.options.LocalDiskOptions;
import dev.jnydus.backend.options.LocalFsOptions;
import dev.jnydus.backend.options.MirrorOptions;
import dev.jnydus.backend.options.NetworkOptions;
import dev.jnydus.backend.options.OssOptions;
import dev.jnydus.backend.options.ProxyOptions;
import dev.jnydus.backend.options.RegistryOptions;
import dev.jnydus.backend.options.S3Options;
import dev.jnydus.config.BackendConfig;
import dev.jnydus.config.ConnectionConfig;
import dev.jnydus.config.HttpProxyConfig;
import dev.jnydus.config.LocalDiskConfig;
import dev.jnydus.config.LocalFsConfig;
import dev.jnydus.config.MirrorConfig;
import dev.jnydus.config.OssConfig;
import dev.jnydus.config.ProxyConfig;
import dev.jnydus.config.RegistryConfig;
import dev.jnydus.config.S3Config;
import dev.jnydus.daemon.cli.StartupException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the configuration's backend section (config module records) onto the backend module's
 * options and builds the backend with {@link BackendFactory}: the one place where the two models
 * meet.
 */
final class Backends {
    private Backends() {
    }

    static BlobBackend create(BackendConfig config, BackendEnvironment env) throws StartupException {
        try {
            return BackendFactory.create(config.type(), options(config), env);
        } catch (BackendException | IllegalArgumentException e) {
            throw new StartupException("failed to create the " + config.type() + " backend: " + e.getMessage(), e);
        }
    }

    static BackendOptions options(BackendConfig config) {
        if (config instanceof LocalFsConfig l) {
            List<Path> alt = new ArrayList<>();
            for (String d : l.altDirs()) {
                alt.add(Path.of(d));
            }
            return new LocalFsOptions(l.blobFile().isEmpty() ? null : Path.of(l.blobFile()),
                    l.dir().isEmpty() ? null : Path.of(l.dir()), alt);
        }
        if (config instanceof RegistryConfig r) {
            return new RegistryOptions(r.scheme(), r.host(), r.repo(), r.auth().orElse(""), r.registryToken().orElse(""),
                    r.blobUrlScheme(), r.blobRedirectedHost(), network(r.connection()));
        }
        if (config instanceof OssConfig o) {
            return new OssOptions(o.scheme(), o.endpoint(), o.bucketName(), o.objectPrefix(), o.accessKeyId(),
                    o.accessKeySecret(), network(o.connection()));
        }
        if (config instanceof S3Config s) {
            return new S3Options(s.scheme(), s.endpoint(), s.region(), s.bucketName(), s.objectPrefix(),
                    s.accessKeyId(), s.accessKeySecret(), network(s.connection()));
        }
        if (config instanceof HttpProxyConfig h) {
            return new HttpProxyOptions(h.addr(), h.path(), network(h.connection()));
        }
        LocalDiskConfig d = (LocalDiskConfig) config;
        return new LocalDiskOptions(Path.of(d.devicePath()), d.disableGpt());
    }

    private static NetworkOptions network(ConnectionConfig c) {
        List<Path> cas = new ArrayList<>();
        for (String f : c.caCertFiles()) {
            cas.add(Path.of(f));
        }
        List<MirrorOptions> mirrors = new ArrayList<>();
        for (MirrorConfig m : c.mirrors()) {
            mirrors.add(new MirrorOptions(m.host(), m.pingUrl(), m.headers(), m.authThrough(),
                    Duration.ofSeconds(m.healthCheckInterval()), m.failureLimit(),
                    Duration.ofSeconds(m.healthCheckPauseElapsed())));
        }
        ProxyConfig p = c.proxy();
        ProxyOptions proxy = new ProxyOptions(p.url(), p.pingUrl(), p.fallback(), Duration.ofSeconds(p.checkInterval()),
                p.useHttp(), Duration.ofSeconds(p.checkPauseElapsed()), p.dragonflySchedulerEndpoint());
        return new NetworkOptions(c.skipVerify(), cas, Duration.ofSeconds(c.timeout()),
                Duration.ofSeconds(c.connectTimeout()), c.retryLimit(), proxy, mirrors);
    }
}
