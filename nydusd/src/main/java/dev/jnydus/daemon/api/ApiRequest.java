package dev.jnydus.daemon.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an API call asks of the daemon, parsed from HTTP by {@link HttpRoutes} and carried out by
 * an {@link ApiHandler} (upstream's {@code ApiRequest}). {@link #errorContext()} names the
 * variant upstream wraps this request's errors in ({@code Mount(...)}, {@code Configure(...)}).
 */
public sealed interface ApiRequest {
    /** Upstream's HttpError variant for failures of this request. */
    String errorContext();

    /** {@code GET /api/v1/daemon} (with the filesystems) or {@code GET /api/v2/daemon} (without). */
    record GetDaemonInfo(boolean withFilesystems) implements ApiRequest {
        @Override
        public String errorContext() {
            return "DaemonInfo";
        }
    }

    /** {@code PUT /api/v1/daemon}, {@code PUT /api/v2/daemon}: {@code {"log_level": "..."}}. */
    record ConfigureDaemon(String logLevel) implements ApiRequest {
        public ConfigureDaemon {
            Objects.requireNonNull(logLevel, "logLevel");
        }

        @Override
        public String errorContext() {
            return "Configure";
        }
    }

    /** {@code GET /api/v1/daemon/events}. */
    record GetEvents() implements ApiRequest {
        @Override
        public String errorContext() {
            return "Events";
        }
    }

    /** {@code PUT /api/v1/daemon/start}. */
    record Start() implements ApiRequest {
        @Override
        public String errorContext() {
            return "Configure";
        }
    }

    /** {@code PUT /api/v1/daemon/exit}. */
    record Exit() implements ApiRequest {
        @Override
        public String errorContext() {
            return "Configure";
        }
    }

    /** {@code PUT /api/v1/daemon/fuse/sendfd}. */
    record SendFuseFd() implements ApiRequest {
        @Override
        public String errorContext() {
            return "Upgrade";
        }
    }

    /** {@code PUT /api/v1/daemon/fuse/takeover}. */
    record TakeoverFuseFd() implements ApiRequest {
        @Override
        public String errorContext() {
            return "Upgrade";
        }
    }

    /**
     * The body of {@code POST}/{@code PUT /api/v1/mount} (upstream's ApiMountCmd).
     *
     * @param fsType "" when absent (then refused by the daemon)
     * @param config the configuration document as a string
     */
    record MountCmd(String fsType, String source, String config, Optional<List<String>> prefetchFiles) {
        public MountCmd {
            Objects.requireNonNull(fsType, "fsType");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(config, "config");
            prefetchFiles = prefetchFiles.map(List::copyOf);
        }
    }

    /** {@code POST /api/v1/mount?mountpoint=}. */
    record Mount(String mountpoint, MountCmd cmd) implements ApiRequest {
        @Override
        public String errorContext() {
            return "Mount";
        }
    }

    /** {@code PUT /api/v1/mount?mountpoint=}. */
    record Remount(String mountpoint, MountCmd cmd) implements ApiRequest {
        @Override
        public String errorContext() {
            return "Mount";
        }
    }

    /** {@code DELETE /api/v1/mount?mountpoint=}. */
    record Umount(String mountpoint) implements ApiRequest {
        @Override
        public String errorContext() {
            return "Mount";
        }
    }

    /** {@code GET /api/v1/metrics/backend[?id=]}. */
    record BackendMetrics(Optional<String> id) implements ApiRequest {
        @Override
        public String errorContext() {
            return "BackendMetrics";
        }
    }

    /** {@code GET /api/v1/metrics/blobcache[?id=]}. */
    record BlobcacheMetrics(Optional<String> id) implements ApiRequest {
        @Override
        public String errorContext() {
            return "BlobcacheMetrics";
        }
    }

    /** {@code GET /api/v1/metrics[?id=]}. */
    record FsGlobalMetrics(Optional<String> id) implements ApiRequest {
        @Override
        public String errorContext() {
            return "GlobalMetrics";
        }
    }

    /** {@code GET /api/v1/metrics/files[?id=][&latest=true]}. */
    record FsFilesMetrics(Optional<String> id, boolean latest) implements ApiRequest {
        @Override
        public String errorContext() {
            return "FsFilesMetrics";
        }
    }

    /** {@code GET /api/v1/metrics/pattern[?id=]}. */
    record FsAccessPatterns(Optional<String> id) implements ApiRequest {
        @Override
        public String errorContext() {
            return "Pattern";
        }
    }

    /** {@code GET /api/v1/daemon/backend?mountpoint=}. */
    record FsBackendInfo(String mountpoint) implements ApiRequest {
        @Override
        public String errorContext() {
            return "FsBackendInfo";
        }
    }

    /** {@code GET /api/v1/metrics/inflight}. */
    record InflightMetrics() implements ApiRequest {
        @Override
        public String errorContext() {
            return "InflightMetrics";
        }
    }

    /** {@code GET /api/v1/metrics/prometheus}: every metric in the Prometheus text format (jnydus). */
    record PrometheusMetrics() implements ApiRequest {
        @Override
        public String errorContext() {
            return "GlobalMetrics";
        }
    }

    /** {@code GET /api/v1/config[?id=]}. */
    record GetConfig(Optional<String> id) implements ApiRequest {
        @Override
        public String errorContext() {
            return "Configure";
        }
    }

    /** {@code PUT /api/v1/config[?id=]} with {@code {key: value}} strings. */
    record UpdateConfig(Optional<String> id, Map<String, String> values) implements ApiRequest {
        public UpdateConfig {
            values = Map.copyOf(values);
        }

        @Override
        public String errorContext() {
            return "Configure";
        }
    }

    /** {@code PUT /api/v2/blobs}: a blob cache entry document (spec 2.6), as received. */
    record CreateBlobObject(String entry) implements ApiRequest {
        @Override
        public String errorContext() {
            return "CreateBlobObject";
        }
    }

    /** {@code GET /api/v2/blobs?domain_id=[&blob_id=]}. */
    record GetBlobObject(String domainId, String blobId) implements ApiRequest {
        @Override
        public String errorContext() {
            return "GetBlobObjects";
        }
    }

    /** {@code DELETE /api/v2/blobs?domain_id=[&blob_id=]}. */
    record DeleteBlobObject(String domainId, String blobId) implements ApiRequest {
        @Override
        public String errorContext() {
            return "DeleteBlobObject";
        }
    }

    /** {@code DELETE /api/v2/blobs?blob_id=}: cull the fscache file of that blob. */
    record DeleteBlobFile(String blobId) implements ApiRequest {
        @Override
        public String errorContext() {
            return "DeleteBlobFile";
        }
    }
}
