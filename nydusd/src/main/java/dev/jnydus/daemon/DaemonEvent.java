package dev.jnydus.daemon;

/** Inputs of the daemon state machine (spec 4.1), with upstream's names for error messages. */
public enum DaemonEvent {
    /** The kernel session was created by the caller (FUSE mounted, cachefiles bound). */
    MOUNT("Mount"),
    /** Restore the state a predecessor saved (hot upgrade, failover). */
    TAKEOVER("Takeover"),
    /** Start serving. */
    START("Start"),
    /** Stop serving; from READY also end the kernel session. */
    STOP("Stop"),
    /** End without ending the kernel session (a successor holds it). */
    EXIT("Exit");

    private final String label;

    DaemonEvent(String label) {
        this.label = label;
    }

    /** Upstream's Debug rendering of the event, as error messages carry it. */
    public String label() {
        return label;
    }
}
