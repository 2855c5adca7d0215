package dev.jnydus.rafs.fs;

import dev.jnydus.common.LogThrottle;
import dev.jnydus.common.Ticker;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One error line per failing blob and period: a reader hammering a missing blob must not flood
 * the log, yet the first failure and the count of the rest must be there. The line names the blob,
 * which is what an operator needs to find the broken backend object.
 */
final class BlobErrorLog {
    private static final Logger LOG = LoggerFactory.getLogger(RafsFileSystem.class);

    private final LogThrottle throttle;

    BlobErrorLog(Ticker ticker, long period, TimeUnit unit) {
        this.throttle = new LogThrottle(ticker, period, unit);
    }

    /** Logs (or counts) one failed read from {@code blobId}. Returns whether a line was written. */
    boolean failed(String blobId, String what, String cause) {
        long more = throttle.tryReport(blobId);
        if (more == LogThrottle.SUPPRESSED) {
            return false;
        }
        if (more > 0) {
            LOG.error("failed to read blob {}: {}: {} ({} more failures of this blob since the last report)", blobId,
                    what, cause, more);
        } else {
            LOG.error("failed to read blob {}: {}: {}", blobId, what, cause);
        }
        return true;
    }
}
