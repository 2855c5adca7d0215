package dev.jnydus.fscache.fanotify;

import dev.jnydus.common.LogThrottle;
import dev.jnydus.common.Ticker;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One error line per failing blob and period: while a backend is down every reader's event fails,
 * and the log must show the first failure and how many followed, not each of them.
 */
final class FillFailureLog {
    private static final Logger LOG = LoggerFactory.getLogger(FanotifyMount.class);

    private final LogThrottle throttle;

    FillFailureLog(Ticker ticker, long period, TimeUnit unit) {
        this.throttle = new LogThrottle(ticker, period, unit);
    }

    /** Logs (or counts) one failed fill; returns whether a line was written. */
    boolean failed(String blobId, long offset, long count, String cause) {
        long more = throttle.tryReport(blobId);
        if (more == LogThrottle.SUPPRESSED) {
            return false;
        }
        LOG.error("failed to fill blob {} range {}+{}, the reader gets EIO: {}{}", blobId, offset, count, cause,
                more > 0 ? " (" + more + " more failures of this blob since the last report)" : "");
        return true;
    }
}
