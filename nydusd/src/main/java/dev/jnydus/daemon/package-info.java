/**
 * The running daemon (layer L5): {@link dev.jnydus.daemon.FuseDaemonLauncher} (found by
 * {@code daemon.cli.Main} through {@link java.util.ServiceLoader}) turns a startup
 * plan into a {@link dev.jnydus.daemon.RafsInstance} (bootstrap, backend, cache, filesystem) and a
 * {@link dev.jnydus.daemon.FuseDaemon} (the FUSE session and its workers), handles SIGTERM/SIGINT
 * and blocks until the session ends. The only package that creates real backends, caches, threads
 * and clocks.
 *
 * <p>Imports every module below it and {@code daemon.cli}; nothing imports it.
 */
package dev.jnydus.daemon;
