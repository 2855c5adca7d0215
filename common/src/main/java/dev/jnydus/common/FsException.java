package dev.jnydus.common;

import java.io.IOException;

/**
 * An I/O failure that carries the errno a kernel will be told. The FUSE server turns it into an
 * error reply, the fscache handler into a failed read; anything else logs {@link #getMessage()}.
 */
public class FsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    public FsException(Errno errno) {
        super(errno.name() + ": " + errno.description());
        this.errno = errno;
    }

    public FsException(Errno errno, String message) {
        super(message);
        this.errno = errno;
    }

    public FsException(Errno errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
