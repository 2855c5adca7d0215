/**
 * nydusd's administration API over HTTP on a Unix socket (spec 3): {@link dev.jnydus.daemon.api.ApiServer}
 * (Netty, epoll domain sockets), {@link dev.jnydus.daemon.api.HttpRoutes} (HTTP → typed
 * {@link dev.jnydus.daemon.api.ApiRequest}), and {@link dev.jnydus.daemon.api.ApiError} (error kinds →
 * status codes and upstream's error bodies, in one place). The routes only parse and format; the
 * daemon carries requests out behind {@link dev.jnydus.daemon.api.ApiHandler}.
 *
 * <p>Layer L5 (nydusd). Imports Netty, Jackson and the daemon's error type; the daemon package
 * implements the handler.
 */
package dev.jnydus.daemon.api;
