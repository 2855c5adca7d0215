/**
 * The cachefiles on-demand protocol (layer L4, transport side): the messages the kernel hands out
 * on {@code /dev/cachefiles} ({@link dev.jnydus.fscache.cachefiles.CachefilesMessage} and its
 * codec), the text commands the daemon writes back ({@link dev.jnydus.fscache.cachefiles.Commands}),
 * the device channel and the anonymous fd of a cache object, the cookie hash of the cache tree,
 * and the start-up probe that names a missing kernel feature. Reference:
 * {@code shared/spec/fscache-ondemand.md} sections 2 to 8.
 *
 * <p>The decoder and the command formatter never touch a descriptor: tests feed them bytes. Only
 * {@link dev.jnydus.fscache.cachefiles.DevCachefiles} and
 * {@link dev.jnydus.fscache.cachefiles.AnonymousFd} reach the kernel, and only through
 * {@code dev.jnydus.sys}. May import {@code common} and {@code sys}.
 */
package dev.jnydus.fscache.cachefiles;
