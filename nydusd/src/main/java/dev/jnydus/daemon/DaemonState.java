package dev.jnydus.daemon;

/**
 * The daemon's working state as {@code GET /api/v1/daemon} reports it (spec 4.1). The names are
 * the wire values.
 */
public enum DaemonState {
    /** Started, no kernel session yet (or waiting for a takeover). */
    INIT,
    /** Kernel session exists (FUSE mounted or descriptor restored); workers not serving. */
    READY,
    /** Workers serve the kernel's requests. */
    RUNNING,
    /** Terminal. */
    STOPPED,
    /** Never produced; kept because the wire format lists it. */
    UNKNOWN
}
