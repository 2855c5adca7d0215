package dev.jnydus.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.config.ConfigException;
import dev.jnydus.config.JsonTrees;
import dev.jnydus.daemon.api.ApiError;
import dev.jnydus.daemon.api.ApiHandler;
import dev.jnydus.daemon.api.ApiRequest;
import dev.jnydus.daemon.api.ApiResponse;
import dev.jnydus.daemon.cli.BuildInfo;
import dev.jnydus.daemon.cli.ErrorEvents;
import dev.jnydus.daemon.cli.LogConfigurer;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon side of the API (upstream's {@code api_server_glue}): one dispatch over the
 * {@link ApiRequest}s, each carried out against the state machine, the FUSE service and its mount
 * table, or the singleton service and its blob cache entries. Lifecycle requests become state
 * machine events; errors become {@link ApiError}s in the shape and with the status upstream gives
 * them.
 */
public final class ApiDispatcher implements ApiHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiDispatcher.class);
    /**
     * Answers are trees written by {@link JsonTrees}: no {@code ObjectMapper} is made before an
     * endpoint needs one (its class initialisation took a daemon's API about 0.2 s of its start).
     */
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter MOUNTED_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.nnnnnnnnn xxx:00");

    /**
     * Who the daemon is, as {@code GET /api/v1/daemon} tells it.
     *
     * @param features the serving modes the kernel offers, as probed at start: empty when not
     *                 probed, or while the probe still runs (the API is bound beside it)
     */
    public record Identity(BuildInfo build, Optional<String> id, Optional<String> supervisor,
                           Supplier<Optional<KernelFeatures>> features) {
        public Identity {
            Objects.requireNonNull(build, "build");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(supervisor, "supervisor");
            Objects.requireNonNull(features, "features");
        }
    }

    private final Identity identity;
    private final DaemonStateMachine machine;
    private final FsService fs;
    private final SingletonService singleton;
    private final ImageOpener opener;
    private final DaemonMetrics metrics;
    private final LogConfigurer logs;
    private final ErrorEvents errors;
    private final RuntimeConfig runtimeConfig;
    private final FuseHandover handover;
    private final Consumer<String> exitRequest;

    /**
     * @param fs the filesystem service (FUSE or fanotify), or null for the singleton
     * @param handover the FUSE service's save and restore, or null when the daemon cannot hand over
     * @param singleton the singleton service (blob cache entries, fscache), or null for a FUSE daemon
     * @param runtimeConfig the values of {@code PUT /api/v1/config}
     * @param exitRequest asked to end the process after {@code PUT /api/v1/daemon/exit}
     */
    public ApiDispatcher(Identity identity, DaemonStateMachine machine, FsService fs, FuseHandover handover,
                         SingletonService singleton, ImageOpener opener, DaemonMetrics metrics,
                         RuntimeConfig runtimeConfig, LogConfigurer logs, ErrorEvents errors,
                         Consumer<String> exitRequest) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.machine = Objects.requireNonNull(machine, "machine");
        this.fs = fs;
        this.handover = handover;
        this.singleton = singleton;
        this.runtimeConfig = Objects.requireNonNull(runtimeConfig, "runtimeConfig");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.logs = Objects.requireNonNull(logs, "logs");
        this.errors = Objects.requireNonNull(errors, "errors");
        this.exitRequest = Objects.requireNonNull(exitRequest, "exitRequest");
    }

    @Override
    public ApiResponse handle(ApiRequest r) throws ApiError {
        String ctx = r.errorContext();
        try {
            if (r instanceof ApiRequest.GetDaemonInfo i) {
                return json(daemonInfo(i.withFilesystems()));
            } else if (r instanceof ApiRequest.ConfigureDaemon c) {
                return configure(ctx, c.logLevel());
            } else if (r instanceof ApiRequest.GetEvents) {
                return json(events());
            } else if (r instanceof ApiRequest.Start) {
                return event(ctx, DaemonEvent.START);
            } else if (r instanceof ApiRequest.Exit) {
                return exit(ctx);
            } else if (r instanceof ApiRequest.SendFuseFd) {
                return sendFd(ctx);
            } else if (r instanceof ApiRequest.TakeoverFuseFd) {
                return event(ctx, DaemonEvent.TAKEOVER);
            } else if (r instanceof ApiRequest.Mount m) {
                fsService().mount(m.mountpoint(), command(m.cmd()), opener);
                return ApiResponse.EMPTY;
            } else if (r instanceof ApiRequest.Remount m) {
                fsService().remount(m.mountpoint(), command(m.cmd()), opener);
                return ApiResponse.EMPTY;
            } else if (r instanceof ApiRequest.Umount m) {
                fsService().umount(m.mountpoint());
                return ApiResponse.EMPTY;
            } else if (r instanceof ApiRequest.FsBackendInfo b) {
                return json(backendInfo(ctx, b.mountpoint()));
            } else if (r instanceof ApiRequest.InflightMetrics) {
                fsService();
                return metrics.inflight().<ApiResponse>map(ApiResponse.Json::new).orElse(ApiResponse.EMPTY);
            } else if (r instanceof ApiRequest.FsGlobalMetrics m) {
                return json(metrics.global(ctx, m.id()));
            } else if (r instanceof ApiRequest.FsFilesMetrics m) {
                return json(metrics.files(ctx, m.id(), m.latest()));
            } else if (r instanceof ApiRequest.FsAccessPatterns m) {
                return json(metrics.patterns(ctx, m.id()));
            } else if (r instanceof ApiRequest.BackendMetrics m) {
                return json(metrics.backend(ctx, m.id()));
            } else if (r instanceof ApiRequest.BlobcacheMetrics m) {
                return json(metrics.blobcache(ctx, m.id()));
            } else if (r instanceof ApiRequest.PrometheusMetrics) {
                return new ApiResponse.Text(metrics.prometheus(), DaemonMetrics.PROMETHEUS_CONTENT_TYPE);
            } else if (r instanceof ApiRequest.GetConfig c) {
                return json(LazyObjectMapper.INSTANCE.valueToTree(runtimeConfig.get(c.id())));
            } else if (r instanceof ApiRequest.UpdateConfig c) {
                return updateConfig(ctx, c);
            } else if (r instanceof ApiRequest.CreateBlobObject c) {
                return createBlob(ctx, c.entry());
            } else if (r instanceof ApiRequest.DeleteBlobObject d) {
                singletonService().remove(d.domainId(), d.blobId());
                return ApiResponse.EMPTY;
            } else if (r instanceof ApiRequest.DeleteBlobFile f) {
                // Culling a cache file is fscache's (501 on a singleton without it); FUSE
                // daemons have none and answer 204, as upstream.
                if (singleton != null) {
                    singleton.cull(f.blobId());
                }
                return ApiResponse.EMPTY;
            } else if (r instanceof ApiRequest.GetBlobObject) {
                throw DaemonException.unsupported("listing blob objects is not supported (nor upstream)");
            }
            throw new IllegalStateException("no handler for " + r);
        } catch (DaemonException e) {
            ApiError.Source source = r instanceof ApiRequest.Mount || r instanceof ApiRequest.Remount
                    || r instanceof ApiRequest.Umount ? ApiError.Source.MOUNT_FILESYSTEM
                    : r instanceof ApiRequest.FsBackendInfo || r instanceof ApiRequest.GetDaemonInfo
                    ? ApiError.Source.METRICS_DAEMON : ApiError.Source.DAEMON_ABNORMAL;
            LOG.info("API {} failed: {}", r.getClass().getSimpleName(), e.getMessage());
            throw ApiError.of(ctx, source, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.payloadType(ctx, "interrupted");
        }
    }

    private static ApiResponse json(JsonNode node) {
        return new ApiResponse.Json(JsonTrees.write(node));
    }

    private FsService fsService() throws DaemonException {
        if (fs == null) {
            throw DaemonException.unsupported("this daemon has no filesystem service (singleton)");
        }
        return fs;
    }

    private SingletonService singletonService() throws DaemonException {
        if (singleton == null) {
            throw DaemonException.unsupported("this daemon has no blob cache manager (use nydusd singleton)");
        }
        return singleton;
    }

    private static MountCommand command(ApiRequest.MountCmd c) {
        return new MountCommand(c.fsType(), c.source(), c.config(), c.prefetchFiles());
    }

    private ApiResponse event(String ctx, DaemonEvent e) throws DaemonException, InterruptedException {
        machine.fire(e);
        return ApiResponse.EMPTY;
    }

    private ApiResponse exit(String ctx) throws DaemonException, InterruptedException {
        if (fs != null) {
            fs.leaveMountToSuccessor();
        }
        machine.exit();
        LOG.info("exit daemon by http request");
        return new ApiResponse.ThenRun(ApiResponse.EMPTY, () -> exitRequest.accept("PUT /api/v1/daemon/exit"));
    }

    /**
     * {@code sendfd}: a FUSE daemon hands its state and session to the supervisor
     * ({@link FuseHandover#save}: 501 without {@code --supervisor}, where upstream panics; 503
     * before FUSE INIT, after connecting to the supervisor all the same). The singleton answers
     * 204 without a supervisor, as upstream; with one it connects, then fails: saving the fscache
     * state is the fscache service's.
     */
    private ApiResponse sendFd(String ctx) throws DaemonException {
        if (handover != null) {
            handover.save();
            return ApiResponse.EMPTY;
        }
        if (fs != null && !fs.sessionInitialized()) {
            throw new DaemonException(DaemonException.Kind.NOT_READY, "the " + fs.fsDriver().cliName()
                    + " session is not initialized yet");
        }
        Optional<String> sup = identity.supervisor();
        if (sup.isEmpty()) {
            if (fs == null) {
                return ApiResponse.EMPTY;
            }
            throw DaemonException.unsupported("no supervisor configured (--supervisor): nowhere to send the state");
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(Path.of(sup.get())))) {
            LOG.info("connected to supervisor {}; {} saves no state yet", sup.get(), what());
        } catch (IOException e) {
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER, "failed to connect to supervisor "
                    + sup.get() + ": " + e.getMessage(), e);
        }
        throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER,
                "failed to upgrade nydusd daemon: saving the state of " + what() + " is not supported yet");
    }

    /** What serves here, for messages: the singleton or the filesystem driver. */
    private String what() {
        return fs == null ? "the singleton" : "a " + fs.fsDriver().cliName() + " daemon";
    }

    private ApiResponse configure(String ctx, String level) throws ApiError {
        try {
            logs.setLevel(level);
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            LOG.error("Invalid log level passed, {}", e.getMessage());
            throw ApiError.payloadType(ctx, e.getMessage());
        }
        LOG.info("log level set to {}", level);
        return ApiResponse.EMPTY;
    }

    private ApiResponse updateConfig(String ctx, ApiRequest.UpdateConfig c) throws ApiError {
        String id = c.id().orElse("");
        try {
            runtimeConfig.update(id, c.values());
        } catch (IllegalArgumentException e) {
            throw ApiError.payloadType(ctx, e.getMessage());
        }
        String auth = c.values().get(RuntimeConfig.REGISTRY_AUTH);
        if (auth != null && fs != null) {
            applyRegistryAuth(fs.mounts(), id, auth);
        }
        return ApiResponse.EMPTY;
    }

    /**
     * Hands a new {@code registry_auth} to the registry backends whose id is {@code id}: the
     * backend of the mount at that mountpoint ("/" for a dedicated daemon, "/&lt;snapshot&gt;" in
     * shared mode), as upstream's backend picks it up (it polls; we apply at once). Requests
     * already in flight finish with the old credentials; a 401 on them is answered again with
     * the new ones.
     */
    static int applyRegistryAuth(MountTable mounts, String id, String auth) {
        int applied = 0;
        Optional<MountTable.Entry> e = mounts.get(id);
        if (e.isPresent() && e.get().image() instanceof RafsInstance rafs && rafs.updateRegistryAuth(auth)) {
            applied++;
        }
        LOG.info("registry_auth of {} {}", id, applied == 0 ? "stored; no registry backend has that id"
                : auth.isEmpty() ? "cleared in its registry backend" : "applied to its registry backend");
        return applied;
    }

    private ApiResponse createBlob(String ctx, String text) throws ApiError, DaemonException {
        SingletonService s = singletonService();
        BlobCacheEntry entry;
        try {
            entry = BlobCacheEntry.parse(text);
        } catch (ConfigException e) {
            // Upstream: an entry failing prepare_configuration_info is a bad request.
            LOG.info("invalid blob cache entry: {}", e.getMessage());
            throw ApiError.badRequest();
        }
        s.add(entry);
        return ApiResponse.EMPTY;
    }

    private ObjectNode daemonInfo(boolean withFilesystems) {
        BuildInfo b = identity.build();
        ObjectNode root = NODES.objectNode();
        root.putObject("version").put("package_ver", b.version()).put("git_commit", b.gitCommit())
                .put("build_time", b.buildTime()).put("profile", b.profile()).put("rustc", b.runtime());
        root.put("id", identity.id().orElse(null));
        root.put("supervisor", identity.supervisor().orElse(null));
        root.put("state", machine.state().name());
        // Beyond upstream's fields (clients ignore what they do not know): how this daemon serves
        // its mounts, and what the kernel offered at start.
        root.put("fs_driver", fs == null ? null : fs.fsDriver().cliName());
        Optional<KernelFeatures> probed = identity.features().get();
        if (probed.isPresent()) {
            KernelFeatures k = probed.get();
            ObjectNode f = root.putObject("kernel_features");
            feature(f, "fusedev", k.fusedev());
            feature(f, "fscache", k.fscache());
            feature(f, "fanotify", k.fanotify());
        } else {
            root.putNull("kernel_features");
        }
        if (withFilesystems && fs != null) {
            ObjectNode coll = root.putObject("backend_collection");
            for (MountTable.Entry e : fs.mounts().entries()) {
                ObjectNode d = coll.putObject(e.mountpoint());
                d.put("backend_type", e.kind().backendType());
                d.put("fs_driver", e.kind().fsDriver());
                d.put("mountpoint", e.mountpoint());
                d.put("mounted_time", MOUNTED_TIME.format(e.mountedTime().atOffset(ZoneOffset.UTC)));
                Optional<dev.jnydus.config.NydusConfig> cfg = e.image().config();
                if (cfg.isPresent()) {
                    try {
                        d.set("config", JsonTrees.read(cfg.get().toRedactedJson()));
                    } catch (IOException ex) {
                        d.putNull("config");
                    }
                } else {
                    d.putNull("config");
                }
                if (e.image() instanceof FanotifyInstance f) {
                    f.fanotifyMetrics().ifPresent(m -> d.putObject("fanotify").put("events", m.events())
                            .put("allowed_filled", m.allowedFilled()).put("fills", m.fills())
                            .put("bytes_written", m.bytesWritten()).put("fill_failures", m.fillFailures())
                            .put("rejected", m.rejected()).put("completed_blobs", m.completedBlobs())
                            .put("in_flight", m.inFlight()));
                }
            }
        } else {
            root.putNull("backend_collection");
        }
        return root;
    }

    private static void feature(ObjectNode into, String name, KernelFeatures.Feature f) {
        ObjectNode n = into.putObject(name).put("available", f.available());
        if (!f.available()) {
            n.put("reason", f.reason());
        }
    }

    private ObjectNode events() {
        ErrorEvents.Snapshot s = errors.snapshot();
        ObjectNode n = NODES.objectNode().put("max_errors", s.maxErrors()).put("total_errors", s.totalErrors())
                .put("max_size", s.maxSize()).put("total_size", s.totalSize());
        ArrayNode a = n.putArray("errors");
        s.errors().forEach(a::add);
        return n;
    }

    /**
     * The RAFS superblock summary of the image at {@code mountpoint}, with upstream's field names
     * for what the bootstrap reader exposes.
     */
    private ObjectNode backendInfo(String ctx, String mountpoint) throws DaemonException {
        MountTable.Entry e = fsService().mounts().get(mountpoint).orElseThrow(
                () -> DaemonException.other("object or filesystem doesn't exist: " + mountpoint));
        RafsInstance rafs = e.image().rafs().orElseThrow(
                () -> DaemonException.other("filesystem type mismatch, expect RAFS at " + mountpoint));
        RafsSuper sb = rafs.superblock();
        boolean v6 = sb.version() == RafsVersion.V6;
        ObjectNode n = NODES.objectNode();
        n.put("magic", v6 ? 0xE0F5E1E2L : 0x5241_4653L);
        n.put("version", v6 ? 0x600 : 0x500);
        n.put("root_inode", sb.rootIno());
        n.put("chunk_size", sb.chunkSize());
        n.put("block_size", sb.blockSize());
        n.put("inodes_count", sb.inodeCount());
        n.put("flags", sb.flags());
        n.put("prefetch_table_entries", sb.prefetchInodes().length);
        n.put("blob_table_entries", sb.blobs().size());
        n.put("bootstrap_size", sb.bootstrapSize());
        n.put("bootstrap", sb.path() == null ? null : sb.path().toString());
        return n;
    }

    /** For tests: the configuration values stored. */
    Map<String, String> runtimeConfig() {
        return runtimeConfig.get(Optional.empty());
    }
}
