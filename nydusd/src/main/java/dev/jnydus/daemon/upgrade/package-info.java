/**
 * Hot upgrade and failover (spec nydusd-interface 4.4 to 4.7): the state a daemon hands its
 * successor ({@link dev.jnydus.daemon.upgrade.SavedState}, versioned JSON documented in
 * {@code docs/upgrade.md}), the daemon's side of the supervisor socket
 * ({@link dev.jnydus.daemon.upgrade.SupervisorClient}), and what a successor does with the FUSE
 * requests its predecessor left in flight ({@link dev.jnydus.daemon.upgrade.InflightRequests}).
 *
 * <p>Kept apart from the FUSE service so that other drivers (fscache, EROFS over fanotify) save
 * and restore through the same document and the same socket: the document has one typed entry per
 * mount and one section per kind of kernel session.
 *
 * <p>Imports {@code dev.jnydus.sys} (descriptor passing, fusectl), {@code fuse.transport.dev} and
 * Jackson; imported by {@code dev.jnydus.daemon}.
 */
package dev.jnydus.daemon.upgrade;
