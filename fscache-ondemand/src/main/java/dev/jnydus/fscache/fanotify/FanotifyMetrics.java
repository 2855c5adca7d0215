package dev.jnydus.fscache.fanotify;

/**
 * What a fanotify mount has done so far.
 *
 * @param events pre-content events read from the group
 * @param allowedFilled events allowed at once because their range was already in the cache file
 * @param fills events that needed chunks fetched (or awaited) before they were allowed
 * @param bytesWritten bytes the fill workers wrote into cache files through event descriptors
 * @param fillFailures events denied with EIO because their chunks could not be fetched
 * @param rejected events denied because they named no range or no known cache file
 * @param ownAccesses events raised by the daemon's own I/O threads, allowed at once
 * @param completedBlobs blobs found complete, whose cache files are no longer marked
 * @param inFlight events being filled now
 */
public record FanotifyMetrics(long events, long allowedFilled, long fills, long bytesWritten, long fillFailures,
                              long rejected, long ownAccesses, int completedBlobs, int inFlight) {
}
