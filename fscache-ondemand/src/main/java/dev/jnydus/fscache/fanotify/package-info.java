/**
 * On-demand serving through fanotify pre-content events (layer L4), the successor of the
 * cachefiles on-demand mode: the kernel mounts a RAFS v6 bootstrap as an EROFS file-backed mount
 * whose extra devices are the blob cache's own sparse data files, and this package fills a range
 * of a data file from the backend (through {@link dev.jnydus.cache.device.BlobDevice}, so the
 * chunk map, validation, read amplification, prefetch and backends are those of FUSE mode) before
 * it lets the kernel read it. {@link dev.jnydus.fscache.fanotify.FanotifyMount} is the whole
 * lifecycle: mark, mount, serve, stop, hand over, take over, adopt after a crash.
 *
 * <p>Imports {@code cache.device}, {@code dev.jnydus.sys} (every syscall), {@code common}, SLF4J
 * and the JDK. The rules it keeps are in {@code ../shared/spec/fanotify-ondemand.md} sections 6
 * and 10; each class says which of them it is responsible for.
 */
package dev.jnydus.fscache.fanotify;
