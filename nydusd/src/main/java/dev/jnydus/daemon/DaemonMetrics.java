package dev.jnydus.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.cache.device.BlobcacheMetrics;
import dev.jnydus.daemon.api.ApiError;
import dev.jnydus.fscache.BlobCacheEntries;
import dev.jnydus.fscache.FsCacheStats;
import dev.jnydus.fuse.abi.Opcode;
import dev.jnydus.rafs.fs.FsIoStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The metrics documents of the API (spec 3.5, 3.6) and their Prometheus rendering, read from the
 * mounted images' own counters. Lookup by id: filesystem and backend metrics by the mountpoint in
 * the namespace, blob cache metrics by the configuration id (also by mountpoint, which is the
 * same for the snapshotter's mounts); without an id, the one object if there is exactly one.
 *
 * <p>The singleton has no filesystems: its blob cache and backend metrics are those of each bound
 * image ({@link BlobObject}), found by the entry's configuration id as upstream registers them, by
 * {@code /<id>} as the snapshotter asks for them (spec 3.6, 8), and by the entry's own id.
 */
public final class DaemonMetrics {
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final Supplier<List<MountTable.Entry>> mounts;
    private final FuseRequestMetrics fuse;
    private final Supplier<DaemonState> state;
    /** The singleton's bound images; null for a daemon with filesystems. */
    private final Supplier<List<BlobObject>> blobObjects;
    private final Supplier<Optional<FsCacheStats>> fscache;

    /**
     * The counters of one image bound in the singleton.
     *
     * @param ids what {@code ?id=} matches
     * @param label the image's key ({@code domain_id/id}), for the Prometheus view
     */
    public record BlobObject(List<String> ids, String label, BlobcacheMetrics cache, Optional<BackendMetrics> backend) {
        public BlobObject {
            ids = List.copyOf(ids);
        }
    }

    /**
     * @param mounts the mount table's entries now
     * @param fuse the FUSE server's request counters, or null without FUSE
     */
    public DaemonMetrics(Supplier<List<MountTable.Entry>> mounts, FuseRequestMetrics fuse, Supplier<DaemonState> state) {
        this(mounts, fuse, state, null, Optional::empty);
    }

    private DaemonMetrics(Supplier<List<MountTable.Entry>> mounts, FuseRequestMetrics fuse, Supplier<DaemonState> state,
                          Supplier<List<BlobObject>> blobObjects, Supplier<Optional<FsCacheStats>> fscache) {
        this.mounts = mounts;
        this.fuse = fuse;
        this.state = state;
        this.blobObjects = blobObjects;
        this.fscache = fscache;
    }

    /** A daemon without filesystems or blob cache entries. */
    public static DaemonMetrics none(Supplier<DaemonState> state) {
        return new DaemonMetrics(List::of, null, state);
    }

    /** The singleton: the images bound in {@code service} and its fscache requests. */
    public static DaemonMetrics singleton(Supplier<DaemonState> state, SingletonService service) {
        return new DaemonMetrics(List::of, null, state, () -> blobObjects(service), service::fscacheStats);
    }

    private static List<BlobObject> blobObjects(SingletonService service) {
        List<BlobObject> out = new ArrayList<>();
        for (BlobCacheEntries.EntryMetrics m : service.entryMetrics()) {
            Set<String> ids = new LinkedHashSet<>();
            for (String id : List.of(m.entry().config().id(), m.entry().blobId())) {
                if (!id.isEmpty()) {
                    ids.add(id);
                    ids.add(id.startsWith("/") ? id : "/" + id);
                }
            }
            out.add(new BlobObject(List.copyOf(ids), m.entry().key(), m.cache(), m.backend()));
        }
        return out;
    }

    private BlobObject blobObject(String ctx, Optional<String> id) throws ApiError {
        List<BlobObject> all = blobObjects.get();
        if (id.isEmpty()) {
            if (all.size() == 1) {
                return all.get(0);
            }
            throw ApiError.noCounter(ctx);
        }
        for (BlobObject o : all) {
            if (o.ids().contains(id.get())) {
                return o;
            }
        }
        throw ApiError.noCounter(ctx);
    }

    private record Rafs(String mountpoint, RafsInstance instance) {
    }

    private List<Rafs> rafs() {
        List<Rafs> out = new ArrayList<>();
        for (MountTable.Entry e : mounts.get()) {
            e.image().rafs().ifPresent(r -> out.add(new Rafs(e.mountpoint(), r)));
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
        ObjectNode n = LazyObjectMapper.INSTANCE.createObjectNode();
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
            ArrayNode a = LazyObjectMapper.INSTANCE.createArrayNode();
            for (long[] range : s.takeLatestReadFiles()) {
                ArrayNode r = a.addArray();
                for (long v : range) {
                    r.add(v);
                }
            }
            return a;
        }
        ObjectNode n = LazyObjectMapper.INSTANCE.createObjectNode();
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
        ArrayNode a = LazyObjectMapper.INSTANCE.createArrayNode();
        for (FsIoStats.Pattern p : byMountpoint(ctx, id).instance().stats().patterns()) {
            a.addObject().put("ino", p.ino()).put("nr_read", p.nrRead())
                    .put("first_access_time_secs", p.firstAccessSecs())
                    .put("first_access_time_nanos", p.firstAccessNanos());
        }
        return a;
    }

    public JsonNode backend(String ctx, Optional<String> id) throws ApiError {
        BackendMetrics m = (blobObjects != null ? blobObject(ctx, id).backend()
                : byMountpoint(ctx, id).instance().backendMetrics()).orElseThrow(() -> ApiError.noCounter(ctx));
        try {
            return LazyObjectMapper.INSTANCE.readTree(m.snapshot().toJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public JsonNode blobcache(String ctx, Optional<String> id) throws ApiError {
        if (blobObjects != null) {
            return LazyObjectMapper.INSTANCE.valueToTree(blobObject(ctx, id).cache().toMap());
        }
        Rafs r = find(ctx, id, x -> List.of(x.instance().configId(), x.mountpoint()));
        return LazyObjectMapper.INSTANCE.valueToTree(r.instance().cacheMetrics().toMap());
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
        List<Series<BackendMetrics>> backends = new ArrayList<>();
        List<Series<BlobcacheMetrics>> caches = new ArrayList<>();
        Map<String, Long> used = new HashMap<>();
        for (Rafs r : all) {
            r.instance().backendMetrics().ifPresent(m -> backends.add(new Series<>("mountpoint", r.mountpoint(), m)));
            caches.add(new Series<>("mountpoint", r.mountpoint(), r.instance().cacheMetrics()));
            used.put(r.mountpoint(), r.instance().cacheUsedBytes());
        }
        for (BlobObject o : blobObjects == null ? List.<BlobObject>of() : blobObjects.get()) {
            o.backend().ifPresent(m -> backends.add(new Series<>("entry", o.label(), m)));
            caches.add(new Series<>("entry", o.label(), o.cache()));
        }
        backendFamilies(p, backends);
        cacheFamilies(p, caches, used);
        fscache.get().ifPresent(st -> fscacheFamilies(p, st));
        return p.toString();
    }

    /** One labelled object's counters: a mount's by {@code mountpoint}, a bound image's by {@code entry}. */
    private record Series<T>(String labelName, String labelValue, T metrics) {
    }

    private static void fscacheFamilies(PrometheusText p, FsCacheStats st) {
        p.family("nydusd_fscache_requests_total", "counter", "Requests of the kernel's cachefiles answered");
        p.sample("nydusd_fscache_requests_total", st.opens(), "op", "open");
        p.sample("nydusd_fscache_requests_total", st.reads(), "op", "read");
        p.sample("nydusd_fscache_requests_total", st.closes(), "op", "close");
        p.family("nydusd_fscache_request_failures_total", "counter", "cachefiles requests that failed");
        p.sample("nydusd_fscache_request_failures_total", st.openFailures(), "op", "open");
        p.sample("nydusd_fscache_request_failures_total", st.readFailures(), "op", "read");
        p.family("nydusd_fscache_read_bytes_total", "counter", "Bytes written into cache files for READ requests");
        p.sample("nydusd_fscache_read_bytes_total", st.readBytes());
        p.family("nydusd_fscache_open_objects", "gauge", "Cache objects the kernel has open");
        p.sample("nydusd_fscache_open_objects", st.openObjects());
    }

    /** Backend latency bucket bounds in seconds (upstream's ms buckets). */
    private static final double[] BACKEND_BUCKETS = {0.001, 0.02, 0.05, 0.1, 0.5, 1, 2};

    private static void backendFamilies(PrometheusText p, List<Series<BackendMetrics>> all) {
        List<Map.Entry<Series<BackendMetrics>, JsonNode>> docs = new ArrayList<>();
        for (Series<BackendMetrics> r : all) {
            try {
                docs.add(Map.entry(r, LazyObjectMapper.INSTANCE.readTree(r.metrics().snapshot().toJson())));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        p.family("nydusd_backend_read_requests_total", "counter", "Reads from the storage backend");
        p.family("nydusd_backend_read_errors_total", "counter", "Backend reads that failed after retries");
        p.family("nydusd_backend_read_bytes_total", "counter", "Bytes delivered by the storage backend");
        p.family("nydusd_backend_read_duration_seconds", "histogram", "Backend read latency");
        for (Map.Entry<Series<BackendMetrics>, JsonNode> d : docs) {
            String label = d.getKey().labelName();
            String value = d.getKey().labelValue();
            JsonNode j = d.getValue();
            String type = j.get("backend_type").asText();
            p.sample("nydusd_backend_read_requests_total", j.get("read_count").asLong(), label, value,
                    "backend_type", type);
            p.sample("nydusd_backend_read_errors_total", j.get("read_errors").asLong(), label, value,
                    "backend_type", type);
            p.sample("nydusd_backend_read_bytes_total", j.get("read_amount_total").asLong(), label, value,
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
                p.sample("nydusd_backend_read_duration_seconds_bucket", cumulative, label, value, "backend_type",
                        type, "le", PrometheusText.number(BACKEND_BUCKETS[l]));
            }
            cumulative += byLatency[7];
            p.sample("nydusd_backend_read_duration_seconds_bucket", cumulative, label, value, "backend_type", type,
                    "le", "+Inf");
            p.sample("nydusd_backend_read_duration_seconds_sum",
                    j.get("read_cumulative_latency_millis_total").asLong() / 1000.0, label, value, "backend_type",
                    type);
            p.sample("nydusd_backend_read_duration_seconds_count", cumulative, label, value, "backend_type", type);
        }
    }

    private static void cacheFamilies(PrometheusText p, List<Series<BlobcacheMetrics>> all, Map<String, Long> used) {
        p.family("nydusd_blobcache_requests_total", "counter", "Chunk requests to the blob cache");
        p.family("nydusd_blobcache_hits_total", "counter", "Blob cache requests served from the cache");
        p.family("nydusd_blobcache_misses_total", "counter", "Blob cache requests that went to the backend");
        p.family("nydusd_blobcache_used_bytes", "gauge", "Bytes held in the blob cache's work directory");
        p.family("nydusd_prefetch_data_bytes_total", "counter", "Bytes prefetched");
        p.family("nydusd_prefetch_requests_total", "counter", "Prefetch requests issued");
        p.family("nydusd_prefetch_workers", "gauge", "Prefetch worker threads");
        p.family("nydusd_blobcache_data_all_ready", "gauge", "1 once every chunk of every blob is cached");
        for (Series<BlobcacheMetrics> r : all) {
            BlobcacheMetrics m = r.metrics();
            String label = r.labelName();
            String value = r.labelValue();
            p.sample("nydusd_blobcache_requests_total", m.total(), label, value);
            p.sample("nydusd_blobcache_hits_total", m.wholeHits(), label, value, "kind", "whole");
            p.sample("nydusd_blobcache_hits_total", m.partialHits(), label, value, "kind", "partial");
            p.sample("nydusd_blobcache_misses_total", Math.max(0, m.total() - m.wholeHits() - m.partialHits()),
                    label, value);
            if (used.containsKey(value) && label.equals("mountpoint")) {
                // A bound image's data lives in the kernel's cache files, not in its work_dir.
                p.sample("nydusd_blobcache_used_bytes", used.get(value), label, value);
            }
            p.sample("nydusd_prefetch_data_bytes_total", m.prefetchDataAmount(), label, value);
            p.sample("nydusd_prefetch_requests_total", m.prefetchRequestsCount(), label, value);
            p.sample("nydusd_prefetch_workers", m.prefetchWorkers(), label, value);
            p.sample("nydusd_blobcache_data_all_ready", m.dataAllReady() ? 1 : 0, label, value);
        }
    }
}
