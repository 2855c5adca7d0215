package dev.jnydus.backend;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;

/** A blob could not be read from its backend. Readers of the filesystem see EIO. */
public class BackendException extends FsException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(Errno.EIO, message);
    }

    public BackendException(String message, Throwable cause) {
        super(Errno.EIO, message, cause);
    }

    public BackendException(Errno errno, String message, Throwable cause) {
        super(errno, message, cause);
    }
}
