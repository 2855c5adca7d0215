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

    /**
     * An exception for an answer given per request on a hot path (ENODATA of a getxattr, say),
     * where nothing went wrong and nobody reads a stack trace: it records none. Filling one in
     * took about 10 % of a FUSE daemon's CPU in a warm container start (perf), whose requests are
     * mostly getxattr answered ENODATA. Its message is the errno's name and description.
     */
    public static FsException answer(Errno errno) {
        return new Answer(errno);
    }

    public Errno errno() {
        return errno;
    }

    /** See {@link #answer}. */
    private static final class Answer extends FsException {
        private static final long serialVersionUID = 1L;

        Answer(Errno errno) {
            super(errno);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
