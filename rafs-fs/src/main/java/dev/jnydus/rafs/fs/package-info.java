/**
 * The read path of a RAFS mount (layer L4): {@link dev.jnydus.rafs.fs.RafsFileSystem} answers
 * FUSE operations from a {@link dev.jnydus.rafs.metadata.RafsSuper} (metadata) and a
 * {@link dev.jnydus.cache.device.BlobDevice} (file data), applying upstream nydusd's runtime rules
 * (owner when the image has no explicit uid/gid, mtime 0, root mode, timeouts, keep-cache).
 * {@link dev.jnydus.rafs.fs.CacheBlobs} turns the reader's blob and chunk records into the cache's;
 * {@link dev.jnydus.rafs.fs.RafsPrefetcher} queues the mount-time prefetch.
 *
 * <p>Imports {@code fuse.api} (never the server, the wire format or the transport),
 * {@code rafs.metadata}, {@code cache.device}, {@code dev.jnydus.common}, SLF4J and the JDK.
 */
package dev.jnydus.rafs.fs;
