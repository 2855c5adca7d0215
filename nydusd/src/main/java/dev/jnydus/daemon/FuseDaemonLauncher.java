package dev.jnydus.daemon;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.daemon.cli.DaemonArgs;
import dev.jnydus.daemon.cli.DaemonLauncher;
import dev.jnydus.daemon.cli.GlobalOptions;
import dev.jnydus.daemon.cli.RafsMount;
import dev.jnydus.daemon.cli.RlimitPolicy;
import dev.jnydus.daemon.cli.Service;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.daemon.cli.StartupPlan;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.fuse.vfs.Vfs;
import dev.jnydus.sys.Sys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs nydusd's FUSE service ({@code nydusd [fuse] ...}): sets RLIMIT_NOFILE, opens the startup
 * RAFS instance (every check that can fail happens here, before anything is mounted), attaches it
 * at {@code --virtual-mountpoint} in a {@link Vfs}, mounts, starts the workers and the prefetch,
 * and blocks until the session ends. SIGTERM and SIGINT stop the daemon (see {@link FuseDaemon});
 * the process then exits 0.
 *
 * <p>Accepted but not served yet (the API issue): {@code --apisock}, {@code --id},
 * {@code --supervisor}, {@code --failover-policy}. Refused with a clear message: {@code --upgrade},
 * the virtiofs service. The singleton service runs in {@link SingletonDaemon}.
 */
public final class FuseDaemonLauncher implements DaemonLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(FuseDaemonLauncher.class);
    /** How long stopping lets open files finish before their users get ENOTCONN. */
    static final Duration STOP_GRACE = Duration.ofSeconds(2);

    @Override
    public void launch(StartupPlan plan) throws Exception {
        DaemonArgs args = plan.args();
        GlobalOptions g = args.global();
        if (args.service() instanceof Service.Singleton singleton) {
            applyRlimit(g.rlimitNofile());
            SingletonDaemon.run(plan, singleton);
            return;
        }
        if (!(args.service() instanceof Service.Fuse fuse)) {
            throw new StartupException("the " + args.subcommand() + " service is not supported yet");
        }
        if (g.upgrade()) {
            throw new StartupException("--upgrade (waiting for a takeover) is not supported yet");
        }
        applyRlimit(g.rlimitNofile());
        g.apiSock().ifPresent(s -> LOG.warn("--apisock {}: the HTTP API is not served yet", s));
        g.id().ifPresent(id -> LOG.info("daemon id {}, supervisor {}, failover policy {}", id,
                g.supervisor().orElse(""), fuse.fuse().failoverPolicy().cliName()));

        Path mountpoint = mountpoint(fuse.fuse().mountpoint());
        int uid = Sys.geteuid();
        int gid = Sys.getegid();
        Optional<RafsMount> startup = plan.startupMount();
        RafsInstance instance = startup.isPresent() ? RafsInstance.open(startup.get(), uid, gid) : null;
        FuseDaemon daemon;
        try {
            Vfs vfs = new Vfs(fuseOptions(fuse.fuse().writable()), Clock.systemUTC());
            if (instance != null) {
                vfs.attach(instance.mount().virtualMountpoint(), instance.fileSystem(),
                        instance.fileSystem().rootIno());
            }
            daemon = FuseDaemon.start(mountpoint, vfs, fuse.fuse().fuseThreads(), !fuse.fuse().writable(),
                    STOP_GRACE);
        } catch (IOException | RuntimeException e) {
            if (instance != null) {
                instance.close();
            }
            throw new StartupException("failed to mount " + mountpoint + ": " + e.getMessage(), e);
        }
        try {
            Signal.handle(new Signal("TERM"), s -> onSignal(s, daemon));
            Signal.handle(new Signal("INT"), s -> onSignal(s, daemon));
            if (instance != null) {
                instance.startPrefetch();
            }
            LOG.info("nydusd is serving {} (RUNNING)", mountpoint);
            daemon.awaitTermination();
            LOG.info("FUSE session on {} ended", mountpoint);
        } finally {
            daemon.close();
            if (instance != null) {
                instance.close();
            }
        }
        Throwable failure = daemon.failure();
        if (failure != null) {
            throw new IOException("a FUSE worker failed: " + failure, failure);
        }
    }

    /**
     * Upstream's INIT wishes, except that a read-only mount does not ask for WRITEBACK_CACHE: with
     * it the kernel invalidates st_blocks on every close (fuse_flush), so each stat after a read
     * costs a GETATTR round trip; nothing is ever written back on a read-only mount anyway.
     */
    static FsOptions fuseOptions(boolean writable) {
        return writable ? FsOptions.UPSTREAM_DEFAULTS : FsOptions.UPSTREAM_DEFAULTS.without(FsOptions.WRITEBACK_CACHE);
    }

    private static void onSignal(Signal s, FuseDaemon daemon) {
        LOG.info("received SIG{}, shutting down", s.getName());
        daemon.stop();
    }

    private static Path mountpoint(String given) throws StartupException {
        try {
            Path p = Path.of(given).toRealPath();
            if (!Files.isDirectory(p) && !Files.isRegularFile(p)) {
                throw new StartupException("invalid mountpoint " + given + ": neither a directory nor a file");
            }
            return p;
        } catch (NoSuchFileException e) {
            throw new StartupException("invalid mountpoint " + given + ": no such file or directory", e);
        } catch (IOException e) {
            throw new StartupException("invalid mountpoint " + given + ": " + e.getMessage(), e);
        }
    }

    /** {@code --rlimit-nofile}: soft and hard limit set to the value {@link RlimitPolicy} computes. */
    private static void applyRlimit(long requested) throws StartupException {
        if (requested == 0) {
            return;
        }
        try {
            // Files.readString trusts the size procfs reports and may return a single byte.
            long fileMax;
            try (java.io.BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/fs/file-max"),
                    StandardCharsets.US_ASCII)) {
                fileMax = Long.parseLong(String.valueOf(r.readLine()).trim());
            }
            long[] cur = Sys.getrlimit(Sys.RLIMIT_NOFILE);
            long limit = RlimitPolicy.effective(requested, fileMax, cur[0]);
            if (limit >= 0 && (cur[0] != limit || cur[1] != limit)) {
                try {
                    Sys.setrlimit(Sys.RLIMIT_NOFILE, limit, limit);
                    LOG.info("RLIMIT_NOFILE set to {}", limit);
                } catch (FsException e) {
                    if (e.errno() != Errno.EPERM || cur[1] == -1) {
                        throw e;
                    }
                    // Without CAP_SYS_RESOURCE the hard limit cannot rise; upstream gives up here,
                    // we keep the hard limit and take what it allows.
                    long soft = Long.compareUnsigned(limit, cur[1]) < 0 ? limit : cur[1];
                    Sys.setrlimit(Sys.RLIMIT_NOFILE, soft, cur[1]);
                    LOG.warn("RLIMIT_NOFILE: cannot raise the hard limit to {} ({}); soft limit set to {}", limit,
                            e.getMessage(), soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new StartupException("failed to set RLIMIT_NOFILE: " + e.getMessage(), e);
        }
    }
}
