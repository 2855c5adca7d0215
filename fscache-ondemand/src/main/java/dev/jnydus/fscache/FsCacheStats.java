package dev.jnydus.fscache;

/**
 * Counters of the requests the fscache daemon answered since it started.
 *
 * @param opens OPEN messages
 * @param openFailures OPENs refused (unknown cookie, unreadable bootstrap, ...)
 * @param reads READ messages
 * @param readFailures READs completed without their data (the reader got EIO)
 * @param readBytes bytes the READs asked for
 * @param closes CLOSE messages
 * @param openObjects cache objects open now
 */
public record FsCacheStats(long opens, long openFailures, long reads, long readFailures, long readBytes, long closes,
                           int openObjects) {
}
