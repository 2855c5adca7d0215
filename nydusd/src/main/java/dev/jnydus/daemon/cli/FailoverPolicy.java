package dev.jnydus.daemon.cli;

import java.util.Locale;

/**
 * {@code --failover-policy}: what a successor does with FUSE requests that were in flight when its
 * predecessor crashed (spec 4.6).
 */
public enum FailoverPolicy {
    /** Drop them. */
    NONE,
    /** Re-submit them to the new session (default). */
    RESEND,
    /** Flush them back to the kernel as failed. */
    FLUSH;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
