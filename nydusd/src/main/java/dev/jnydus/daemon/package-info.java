/**
 * The running daemon (layer L5), its core: the lifecycle as one transition table
 * ({@link dev.jnydus.daemon.DaemonStateMachine}) that every event goes through, the
 * {@link dev.jnydus.daemon.MountTable} that owns each mounted image
 * ({@link dev.jnydus.daemon.RafsInstance}: bootstrap, backend, cache, filesystem), and the FUSE
 * service that carries out the machine's actions ({@link dev.jnydus.daemon.FuseService}); for
 * {@code nydusd singleton}, the {@link dev.jnydus.daemon.SingletonService} (the blob cache entries
 * and the fscache service) carries them out instead, run by
 * {@link dev.jnydus.daemon.SingletonDaemon}. {@link dev.jnydus.daemon.FuseDaemonLauncher} (found
 * by {@code daemon.cli.Main} through {@link java.util.ServiceLoader}) turns a startup plan into
 * these, and stops them on SIGTERM, SIGINT, {@code PUT /api/v1/daemon/exit}, the loss of the mount
 * or the failure of the fscache device. The only package that creates real backends, caches, threads
 * and clocks.
 *
 * <p>Imports every module below it and {@code daemon.cli}; nothing imports it.
 */
package dev.jnydus.daemon;
