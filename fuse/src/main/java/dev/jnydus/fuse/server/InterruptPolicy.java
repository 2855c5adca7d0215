package dev.jnydus.fuse.server;

import dev.jnydus.fuse.api.Context;

/**
 * What to do when the kernel sends FUSE_INTERRUPT for a request whose answer comes later (see
 * {@code FileSystem#readAsync}): answer it with EINTR at once, dropping the data when it arrives,
 * or let it finish. Requests answered on the worker that received them are never cut short.
 *
 * <p>The kernel sends an interrupt when the caller of a request already handed to us gets a
 * signal; a caller that got a fatal signal then waits, unkillable, for our answer. Answering EINTR
 * frees it; but a caller that merely handles a signal (Go's runtime signals its threads all the
 * time) would see read(2) fail with EINTR where it expected the data.
 */
@FunctionalInterface
public interface InterruptPolicy {
    /**
     * Whether to answer the interrupted request of {@code caller} with EINTR now. Called on a
     * worker thread; keep it quick and never throw.
     */
    boolean abandon(Context caller);

    /**
     * Abandon only callers that are being killed: a fatal signal shows as SIGKILL pending in
     * {@code /proc/<pid>/status} (the kernel turns every fatal signal into SIGKILL for each thread
     * of the dying process). A caller whose status cannot be read is left to finish. The default.
     */
    InterruptPolicy FATAL_SIGNALS = ProcSignals::killPending;

    /** Abandon every interrupted request (libfuse's behaviour for a filesystem that checks). */
    InterruptPolicy ALWAYS = caller -> true;

    /** Let every request finish (fuse-backend-rs ignores interrupts). */
    InterruptPolicy NEVER = caller -> false;
}
