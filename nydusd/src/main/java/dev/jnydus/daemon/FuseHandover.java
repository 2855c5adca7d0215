package dev.jnydus.daemon;

import dev.jnydus.common.FsException;
import dev.jnydus.daemon.cli.BuildInfo;
import dev.jnydus.daemon.cli.FailoverPolicy;
import dev.jnydus.daemon.upgrade.FuseSessionState;
import dev.jnydus.daemon.upgrade.SavedMount;
import dev.jnydus.daemon.upgrade.SavedState;
import dev.jnydus.daemon.upgrade.SupervisorClient;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.fuse.server.Negotiated;
import dev.jnydus.fuse.server.Server;
import dev.jnydus.fuse.transport.dev.FuseSession;
import dev.jnydus.fuse.transport.dev.Fusectl;
import dev.jnydus.fuse.vfs.VfsLayout;
import dev.jnydus.sys.Fd;
import dev.jnydus.sys.UnixSockets;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot upgrade and failover of a FUSE daemon (spec 4.4 to 4.6): {@link #save} hands the state and
 * the session descriptor to the supervisor ({@code PUT /api/v1/daemon/fuse/sendfd}); {@link #restore}
 * takes them back in a new process ({@code .../takeover}) and rebuilds the namespace so that
 * every node id the kernel holds means what it meant: the pseudo directories and counters, each
 * mount at its index (RAFS inode numbers come from the bootstrap, so they match by themselves),
 * and what INIT settled. Open files need nothing: RAFS hands out no per-open state (its handles
 * are 0), so a descriptor opened before the takeover reads on after it.
 *
 * <p>Requests in flight: the predecessor's workers read from duplicates of the session's open
 * file, so the requests it took and never answered stay with that file, which the supervisor
 * holds. The failover policy decides what becomes of them (spec 4.6): {@code resend} queues them
 * again ({@code FUSE_NOTIFY_RESEND}, or fusectl's {@code resend} on kernels that have it),
 * at takeover and once more when the workers start, for those the predecessor took in between;
 * {@code flush} ends them through fusectl's {@code flush}, and, on a kernel without it, resends
 * them instead (better late answers than callers hanging for ever); {@code none} leaves them.
 */
final class FuseHandover implements FuseService.Restorer {
    private static final Logger LOG = LoggerFactory.getLogger(FuseHandover.class);

    private final FuseService service;
    private final Optional<SupervisorClient> supervisor;
    private final FailoverPolicy policy;
    private final RuntimeConfig runtimeConfig;
    private final ImageOpener opener;
    private final BuildInfo build;
    private final Fusectl fusectl;

    FuseHandover(FuseService service, Optional<SupervisorClient> supervisor, FailoverPolicy policy,
                 RuntimeConfig runtimeConfig, ImageOpener opener, BuildInfo build, Fusectl fusectl) {
        this.service = Objects.requireNonNull(service, "service");
        this.supervisor = Objects.requireNonNull(supervisor, "supervisor");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.runtimeConfig = Objects.requireNonNull(runtimeConfig, "runtimeConfig");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.build = Objects.requireNonNull(build, "build");
        this.fusectl = Objects.requireNonNull(fusectl, "fusectl");
    }

    /**
     * {@code sendfd}: the state and the session descriptor to the supervisor. With a supervisor
     * it is always connected to, even when there is nothing to send yet (the snapshotter waits
     * for that connection without a timeout while it holds the daemon's lock).
     *
     * @throws DaemonException UNSUPPORTED without a supervisor, NOT_READY before the kernel's
     *     INIT was answered, UPGRADE_MANAGER when the supervisor cannot be reached
     */
    void save() throws DaemonException {
        SupervisorClient client = supervisor.orElseThrow(() -> DaemonException.unsupported(
                "no supervisor configured (--supervisor): nowhere to send the state"));
        FuseSession session = service.session();
        Server server = service.server();
        if (session == null || server == null || server.negotiated().isEmpty()) {
            touch(client);
            throw new DaemonException(DaemonException.Kind.NOT_READY, "the FUSE session is not initialized yet");
        }
        SavedState state = snapshot(server.negotiated().get(), session);
        try {
            client.save(state, session.fd());
        } catch (IOException | RuntimeException e) {
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER, "failed to send the state to supervisor "
                    + client.socket() + ": " + e.getMessage(), e);
        }
    }

    /** Connects to the supervisor and hangs up, so that a waiting supervisor learns there is nothing. */
    private static void touch(SupervisorClient client) {
        try (Fd s = UnixSockets.connectUnix(client.socket())) {
            LOG.info("connected to supervisor {} with nothing to send", client.socket());
        } catch (FsException e) {
            LOG.warn("cannot connect to supervisor {}: {}", client.socket(), e.getMessage());
        }
    }

    /** The state this daemon would hand over now. */
    SavedState snapshot(Negotiated n, FuseSession session) {
        List<SavedMount> mounts = new ArrayList<>();
        for (MountTable.Entry e : service.mounts().entries()) {
            MountCommand c = e.command();
            mounts.add(new SavedMount.Rafs(e.mountpoint(), c.fsType(), c.source(), c.config(), c.prefetchFiles(),
                    e.vfsIndex()));
        }
        VfsLayout l = service.vfs().layout();
        List<FuseSessionState.PseudoDir> dirs = new ArrayList<>();
        for (VfsLayout.Dir d : l.dirs()) {
            dirs.add(new FuseSessionState.PseudoDir(d.ino(), d.parent(), d.name()));
        }
        FuseSessionState fuse = new FuseSessionState(service.mountpoint().toString(), service.connectionId(),
                new FuseSessionState.Init(n.major(), n.minor(), n.enabled().bits(), n.kernelCapable().bits(),
                        n.maxReadahead(), n.maxWrite(), n.maxPages()),
                new FuseSessionState.VfsLayout(dirs, l.nextPseudoIno(), l.nextIndex()));
        return new SavedState(SavedState.FUSE, build.version() + " " + build.gitCommit(), Optional.of(fuse), mounts,
                runtimeConfig.get(Optional.empty()), Map.of());
    }

    /**
     * {@code takeover}: the state and descriptor back from the supervisor, the namespace and its
     * mounts rebuilt, the session adopted, the failover policy applied. Runs on the state
     * machine's thread in INIT; on failure nothing of it stays (the daemon is in INIT again).
     */
    @Override
    public void restore() throws DaemonException {
        SupervisorClient client = supervisor.orElseThrow(() -> new DaemonException(
                DaemonException.Kind.UPGRADE_MANAGER, "failed to upgrade nydusd daemon, missing supervisor path"));
        SupervisorClient.Restored r;
        try {
            r = client.restore();
        } catch (IOException | RuntimeException e) {
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER, "failed to take over from supervisor "
                    + client.socket() + ": " + e.getMessage(), e);
        }
        Fd fd = r.fd();
        boolean ok = false;
        try {
            FuseSessionState f = check(r.state());
            FuseSession.requireFuseDevice(fd);
            restoreMounts(f, r.state().mounts());
            runtimeConfig.restore(r.state().runtimeConfig());
            runtimeConfig.get(Optional.empty()).forEach((key, value) -> {
                if (key.endsWith(":" + RuntimeConfig.REGISTRY_AUTH)) {
                    ApiDispatcher.applyRegistryAuth(service.mounts(),
                            key.substring(0, key.length() - RuntimeConfig.REGISTRY_AUTH.length() - 1), value);
                }
            });
            FuseSessionState.Init i = f.init();
            Negotiated n = new Negotiated(i.major(), i.minor(), FsOptions.of(i.flags()), FsOptions.of(i.kernelFlags()),
                    i.maxReadahead(), i.maxWrite(), i.maxPages());
            FuseSession session = FuseSession.adopt(fd, service.mountpoint(), true);
            service.adoptSession(session, f.connectionId(), n);
            ok = true;
            LOG.info("took over {} from supervisor {}: {} mount(s), FUSE connection {}, written by {}",
                    service.mountpoint(), client.socket(), r.state().mounts().size(), f.connectionId(),
                    r.state().writer());
            applyPolicy(session, f.connectionId());
        } catch (DaemonException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER, "failed to restore the state from "
                    + "supervisor " + client.socket() + ": " + e.getMessage(), e);
        } finally {
            if (!ok) {
                service.discardMounts();
                fd.close();
            }
        }
    }

    private FuseSessionState check(SavedState s) throws DaemonException {
        if (!SavedState.FUSE.equals(s.kind()) || s.fuse().isEmpty()) {
            throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER, "the supervisor holds the state of a "
                    + s.kind() + " daemon, not of a FUSE daemon");
        }
        FuseSessionState f = s.fuse().get();
        if (!f.mountpoint().equals(service.mountpoint().toString())) {
            LOG.warn("the saved state is of mountpoint {}; this daemon serves {}", f.mountpoint(),
                    service.mountpoint());
        }
        for (SavedMount m : s.mounts()) {
            if (!(m instanceof SavedMount.Rafs)) {
                throw new DaemonException(DaemonException.Kind.UPGRADE_MANAGER, "the saved state has a mount of type '"
                        + m.type() + "' at " + m.mountpoint() + ", which this nydusd cannot restore");
            }
        }
        return f;
    }

    /** Opens every image first (where things fail), then rebuilds the namespace around them. */
    private void restoreMounts(FuseSessionState f, List<SavedMount> saved) throws DaemonException, FsException {
        List<MountedImage> images = new ArrayList<>();
        try {
            for (SavedMount m : saved) {
                SavedMount.Rafs r = (SavedMount.Rafs) m;
                images.add(opener.open(r.mountpoint(), command(r)));
            }
        } catch (DaemonException | RuntimeException e) {
            images.forEach(MountedImage::close);
            throw e;
        }
        List<VfsLayout.Dir> dirs = new ArrayList<>();
        for (FuseSessionState.PseudoDir d : f.vfs().dirs()) {
            dirs.add(new VfsLayout.Dir(d.ino(), d.parent(), d.name()));
        }
        try {
            service.vfs().restoreLayout(new VfsLayout(dirs, f.vfs().nextPseudoIno(), f.vfs().nextIndex()));
        } catch (FsException e) {
            images.forEach(MountedImage::close);
            throw e;
        }
        for (int i = 0; i < saved.size(); i++) {
            SavedMount.Rafs r = (SavedMount.Rafs) saved.get(i);
            try {
                service.attach(r.mountpoint(), command(r), images.get(i), r.vfsIndex());
            } catch (DaemonException | RuntimeException e) {
                images.subList(i, images.size()).forEach(MountedImage::close);
                throw e;
            }
            LOG.info("restored {} {} at {} (index {})", r.fsType(), r.source(), r.mountpoint(), r.vfsIndex());
        }
    }

    private static MountCommand command(SavedMount.Rafs r) {
        return new MountCommand(r.fsType(), r.source(), r.config(), r.prefetchFiles());
    }

    private void applyPolicy(FuseSession session, long connId) {
        switch (policy) {
            case NONE -> LOG.info("failover policy none: requests left in flight stay unanswered");
            case RESEND -> {
                resend(session, connId);
                service.requestResendOnStart();
            }
            case FLUSH -> {
                try {
                    fusectl.flush(connId);
                    LOG.info("flushed the requests left in flight on connection {}", connId);
                } catch (IOException e) {
                    LOG.warn("cannot flush connection {} ({}); resending its requests instead", connId,
                            e.getMessage());
                    resend(session, connId);
                    service.requestResendOnStart();
                }
            }
            default -> throw new IllegalStateException("no such policy " + policy);
        }
    }

    private void resend(FuseSession session, long connId) {
        try {
            session.notifyResend();
            return;
        } catch (FsException e) {
            LOG.warn("FUSE_NOTIFY_RESEND failed ({}); trying fusectl", e.getMessage());
        }
        try {
            fusectl.resend(connId);
            LOG.info("asked fusectl to resend the requests in flight on connection {}", connId);
        } catch (IOException e) {
            LOG.warn("cannot resend the requests left in flight on connection {}: {}", connId, e.getMessage());
        }
    }
}
