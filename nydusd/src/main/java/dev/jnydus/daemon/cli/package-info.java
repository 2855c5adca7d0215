/**
 * The nydusd command line (spec 1.1–1.4, 1.6, 1.7): picocli parsing into an immutable
 * {@link dev.jnydus.daemon.cli.DaemonArgs}, startup resolution into a
 * {@link dev.jnydus.daemon.cli.StartupPlan} (config file, {@code --localfs-dir}, IMAGE_PULL_AUTH,
 * prefetch list), {@code --version} text, log setup in upstream's line format, and the exit-code
 * contract of {@link dev.jnydus.daemon.cli.NydusdCli}. Mounting and serving are behind
 * {@link dev.jnydus.daemon.cli.DaemonLauncher}, implemented by the daemon package.
 *
 * <p>Layer L5 (nydusd). Imports {@code config}, picocli, SLF4J and Logback (the only place that
 * names Logback classes). It must not import the daemon's runtime packages: they depend on it.
 */
package dev.jnydus.daemon.cli;
