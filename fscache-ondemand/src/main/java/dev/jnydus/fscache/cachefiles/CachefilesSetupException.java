package dev.jnydus.fscache.cachefiles;

import dev.jnydus.common.Errno;
import java.io.IOException;

/**
 * The cachefiles device cannot be set up: the message names what is missing (the device, on-demand
 * mode, a usable cache directory, the privilege) or who holds the device, and what to do.
 */
public final class CachefilesSetupException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    CachefilesSetupException(String message, Errno errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The kernel's answer that led to this, or null. */
    public Errno errno() {
        return errno;
    }
}
