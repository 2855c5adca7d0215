package dev.jnydus.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.cache.device.BlobcacheMetrics;
import dev.jnydus.daemon.api.ApiError;
import dev.jnydus.fuse.abi.Opcode;
import dev.jnydus.rafs.fs.FsIoStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The metrics documents of the API (spec 3.5, 3.6) and their Prometheus rendering, read from the
 * mounted images' own counters. Lookup by id: filesystem and backend metrics by the mountpoint in
 * the namespace, blob cache metrics by the configuration id (also by mountpoint, which is the
 * same for the snapshotter's mounts); without an id, the one object if there is exactly one.
 */
public final class DaemonMetrics {
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<List<MountTable.Entry>> mounts;
    private final FuseRequestMetrics fuse;
    private final Supplier<DaemonState> state;

    /**
     * @param mounts the mount table's entries now
     * @param fuse the FUSE server's request counters, or null without FUSE
     */
    public DaemonMetrics(Supplier<List<MountTable.Entry>> mounts, FuseRequestMetrics fuse, Supplier<DaemonState> state) {
        this.mounts = mounts;
        this.fuse = fuse;
        this.state = state;
    }

    /** A daemon without filesystems (the singleton). */
    public static DaemonMetrics none(Supplier<DaemonState> state) {
        return new DaemonMetrics(List::of, null, state);
    }

    private record Rafs(String mountpoint, RafsInstance instance) {
    }

    private List<Rafs> rafs() {
        List<Rafs> out = new ArrayList<>();
        for (MountTable.Entry e : mounts.get()) {
            if (e.image() instanceof RafsInstance r) {
                out.add(new Rafs(e.mountpoint(), r));
            }
        }
        return out;
    }

    private Rafs find(String ctx, Optional<String> id, Function<Rafs, List<String>> keys) throws ApiError {
        List<Rafs> all = rafs();
        if (id.isEmpty()) {
            if (all.size() == 1) {
                return all.get(0);
            }
            throw ApiError.noCounter(ctx);
        }
        for (Rafs r : all) {
            if (keys.apply(r).contains(id.get())) {
                return r;
            }
        }
        throw ApiError.noCounter(ctx);
    }

    private Rafs byMountpoint(String ctx, Optional<String> id) throws ApiError {
        return find(ctx, id, r -> List.of(r.mountpoint()));
    }

    private static ArrayNode array(ObjectNode n, String field, long[] values) {
        ArrayNode a = n.putArray(field);
        for (long v : values) {
            a.add(v);
        }
        return a;
    }

    public JsonNode global(String ctx, Optional<String> id) throws ApiError {
        FsIoStats s = byMountpoint(ctx, id).instance().stats();
        ObjectNode n = JSON.createObjectNode();
        n.put("files_account_enabled", s.filesEnabled());
        n.put("access_pattern_enabled", s.accessPatternEnabled());
        n.put("record_latest_read_files_enabled", s.latestReadFilesEnabled());
        n.put("measure_latency", true);
        n.put("id", s.id());
        n.put("nr_opens", s.nrOpens());
        n.put("data_read", s.dataRead());
        array(n, "block_count_read", s.blockCountRead());
        array(n, "fop_hits", s.fopHits());
        array(n, "fop_errors", s.fopErrors());
        array(n, "fop_cumulative_latency_total", s.fopCumulativeLatencyTotal());
        array(n, "read_latency_dist", s.readLatencyDist());
        return n;
    }

    public JsonNode files(String ctx, Optional<String> id, boolean latest) throws ApiError {
        FsIoStats s = byMountpoint(ctx, id).instance().stats();
        if (latest) {
            ArrayNode a = JSON.createArrayNode();
            for (long[] range : s.takeLatestReadFiles()) {
                ArrayNode r = a.addArray();
                for (long v : range) {
                    r.add(v);
                }
            }
            return a;
        }
        ObjectNode n = JSON.createObjectNode();
        for (Map.Entry<Long, FsIoStats.FileStats> e : s.files().entrySet()) {
            ObjectNode f = n.putObject(Long.toString(e.getKey()));
            f.put("total_fops", e.getValue().totalFops());
            f.put("data_read", e.getValue().dataRead());
            array(f, "block_count_read", e.getValue().blockCountRead());
            array(f, "fop_hits", e.getValue().fopHits());
            array(f, "fop_errors", e.getValue().fopErrors());
        }
        return n;
    }

    public JsonNode patterns(String ctx, Optional<String> id) throws ApiError {
        ArrayNode a = JSON.createArrayNode();
        for (FsIoStats.Pattern p : byMountpoint(ctx, id).instance().stats().patterns()) {
            a.addObject().put("ino", p.ino()).put("nr_read", p.nrRead())
                    .put("first_access_time_secs", p.firstAccessSecs())
                    .put("first_access_time_nanos", p.firstAccessNanos());
        }
        return a;
    }

    public JsonNode backend(String ctx, Optional<String> id) throws ApiError {
        BackendMetrics m = byMountpoint(ctx, id).instance().backendMetrics().orElseThrow(() -> ApiError.noCounter(ctx));
        try {
            return JSON.readTree(m.snapshot().toJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public JsonNode blobcache(String ctx, Optional<String> id) throws ApiError {
        Rafs r = find(ctx, id, x -> List.of(x.instance().configId(), x.mountpoint()));
        return JSON.valueToTree(r.instance().cacheMetrics().toMap());
    }

    /** The requests FUSE workers are handling now, or empty when none. */
    public Optional<String> inflight() {
        return fuse == null ? Optional.empty() : fuse.inflightJson();
    }

    /** Every metric in the Prometheus text format. */
    public String prometheus() {
        PrometheusText p = new PrometheusText();
        p.family("nydusd_daemon_state", "gauge", "1 for the state the daemon is in");
        for (DaemonState s : DaemonState.values()) {
            p.sample("nydusd_daemon_state", state.get() == s ? 1 : 0, "state", s.name());
        }
        if (fuse != null) {
            Map<Opcode, FuseRequestMetrics.OpStats> ops = fuse.seen();
            p.family("nydusd_fuse_request_duration_seconds", "histogram", "FUSE request latency by operation");
            ops.forEach((op, s) -> {
                long cumulative = 0;
                for (int i = 0; i < FuseRequestMetrics.BUCKETS.length; i++) {
                    cumulative += s.buckets.get(i);
                    p.sample("nydusd_fuse_request_duration_seconds_bucket", cumulative, "op", op.name().toLowerCase(),
                            "le", PrometheusText.number(FuseRequestMetrics.BUCKETS[i]));
                }
                cumulative += s.buckets.get(FuseRequestMetrics.BUCKETS.length);
                p.sample("nydusd_fuse_request_duration_seconds_bucket", cumulative, "op", op.name().toLowerCase(),
                        "le", "+Inf");
                p.sample("nydusd_fuse_request_duration_seconds_sum", s.sumNanos.sum() / 1e9, "op",
                        op.name().toLowerCase());
                p.sample("nydusd_fuse_request_duration_seconds_count", cumulative, "op", op.name().toLowerCase());
            });
            p.family("nydusd_fuse_request_errors_total", "counter", "FUSE requests answered with an error");
            ops.forEach((op, s) -> p.sample("nydusd_fuse_request_errors_total", s.errors.sum(), "op",
                    op.name().toLowerCase()));
        }
        List<Rafs> all = rafs();
        p.family("nydusd_fs_read_bytes_total", "counter", "Bytes read from the mounted image");
        all.forEach(r -> p.sample("nydusd_fs_read_bytes_total", r.instance().stats().dataRead(), "mountpoint",
                r.mountpoint()));
        p.family("nydusd_fs_operations_total", "counter", "Filesystem operations that succeeded");
        p.family("nydusd_fs_operation_errors_total", "counter", "Filesystem operations that failed");
        for (Rafs r : all) {
            long[] hits = r.instance().stats().fopHits();
            long[] errors = r.instance().stats().fopErrors();
            for (FsIoStats.Fop f : FsIoStats.Fop.values()) {
                String op = f.name().toLowerCase();
                p.sample("nydusd_fs_operations_total", hits[f.ordinal()], "mountpoint", r.mountpoint(), "op", op);
                p.sample("nydusd_fs_operation_errors_total", errors[f.ordinal()], "mountpoint", r.mountpoint(),
                        "op", op);
            }
        }
        p.family("nydusd_fs_open_files", "gauge", "Files open on the mounted image");
        all.forEach(r -> p.sample("nydusd_fs_open_files", r.instance().stats().nrOpens(), "mountpoint",
                r.mountpoint()));
        backendFamilies(p, all);
        cacheFamilies(p, all);
        return p.toString();
    }

    /** Backend latency bucket bounds in seconds (upstream's ms buckets). */
    private static final double[] BACKEND_BUCKETS = {0.001, 0.02, 0.05, 0.1, 0.5, 1, 2};

    private static void backendFamilies(PrometheusText p, List<Rafs> all) {
        List<Map.Entry<Rafs, JsonNode>> docs = new ArrayList<>();
        for (Rafs r : all) {
            r.instance().backendMetrics().ifPresent(m -> {
                try {
                    docs.add(Map.entry(r, JSON.readTree(m.snapshot().toJson())));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        p.family("nydusd_backend_read_requests_total", "counter", "Reads from the storage backend");
        p.family("nydusd_backend_read_errors_total", "counter", "Backend reads that failed after retries");
        p.family("nydusd_backend_read_bytes_total", "counter", "Bytes delivered by the storage backend");
        p.family("nydusd_backend_read_duration_seconds", "histogram", "Backend read latency");
        for (Map.Entry<Rafs, JsonNode> d : docs) {
            String mp = d.getKey().mountpoint();
            JsonNode j = d.getValue();
            String type = j.get("backend_type").asText();
            p.sample("nydusd_backend_read_requests_total", j.get("read_count").asLong(), "mountpoint", mp,
                    "backend_type", type);
            p.sample("nydusd_backend_read_errors_total", j.get("read_errors").asLong(), "mountpoint", mp,
                    "backend_type", type);
            p.sample("nydusd_backend_read_bytes_total", j.get("read_amount_total").asLong(), "mountpoint", mp,
                    "backend_type", type);
            long[] byLatency = new long[8];
            for (JsonNode size : j.get("read_latency_sizes_dist")) {
                for (int l = 0; l < 8; l++) {
                    byLatency[l] += size.get(l).asLong();
                }
            }
            long cumulative = 0;
            for (int l = 0; l < BACKEND_BUCKETS.length; l++) {
                cumulative += byLatency[l];
                p.sample("nydusd_backend_read_duration_seconds_bucket", cumulative, "mountpoint", mp, "backend_type",
                        type, "le", PrometheusText.number(BACKEND_BUCKETS[l]));
            }
            cumulative += byLatency[7];
            p.sample("nydusd_backend_read_duration_seconds_bucket", cumulative, "mountpoint", mp, "backend_type", type,
                    "le", "+Inf");
            p.sample("nydusd_backend_read_duration_seconds_sum",
                    j.get("read_cumulative_latency_millis_total").asLong() / 1000.0, "mountpoint", mp, "backend_type",
                    type);
            p.sample("nydusd_backend_read_duration_seconds_count", cumulative, "mountpoint", mp, "backend_type", type);
        }
    }

    private static void cacheFamilies(PrometheusText p, List<Rafs> all) {
        p.family("nydusd_blobcache_requests_total", "counter", "Chunk requests to the blob cache");
        p.family("nydusd_blobcache_hits_total", "counter", "Blob cache requests served from the cache");
        p.family("nydusd_blobcache_misses_total", "counter", "Blob cache requests that went to the backend");
        p.family("nydusd_blobcache_used_bytes", "gauge", "Bytes held in the blob cache's work directory");
        p.family("nydusd_prefetch_data_bytes_total", "counter", "Bytes prefetched");
        p.family("nydusd_prefetch_requests_total", "counter", "Prefetch requests issued");
        p.family("nydusd_prefetch_workers", "gauge", "Prefetch worker threads");
        p.family("nydusd_blobcache_data_all_ready", "gauge", "1 once every chunk of every blob is cached");
        for (Rafs r : all) {
            BlobcacheMetrics m = r.instance().cacheMetrics();
            String mp = r.mountpoint();
            p.sample("nydusd_blobcache_requests_total", m.total(), "mountpoint", mp);
            p.sample("nydusd_blobcache_hits_total", m.wholeHits(), "mountpoint", mp, "kind", "whole");
            p.sample("nydusd_blobcache_hits_total", m.partialHits(), "mountpoint", mp, "kind", "partial");
            p.sample("nydusd_blobcache_misses_total", Math.max(0, m.total() - m.wholeHits() - m.partialHits()),
                    "mountpoint", mp);
            p.sample("nydusd_blobcache_used_bytes", r.instance().cacheUsedBytes(), "mountpoint", mp);
            p.sample("nydusd_prefetch_data_bytes_total", m.prefetchDataAmount(), "mountpoint", mp);
            p.sample("nydusd_prefetch_requests_total", m.prefetchRequestsCount(), "mountpoint", mp);
            p.sample("nydusd_prefetch_workers", m.prefetchWorkers(), "mountpoint", mp);
            p.sample("nydusd_blobcache_data_all_ready", m.dataAllReady() ? 1 : 0, "mountpoint", mp);
        }
    }
}
