package dev.jnydus.fuse.abi;

import java.io.IOException;

/**
 * The kernel sent something that does not parse: a header whose length disagrees with what was
 * read, arguments shorter than their struct, a name without its NUL. This is a bug on one side of
 * the protocol, not a filesystem error: it is logged at error level and the request is dropped
 * (answered with EIO when its header could be read, so the caller does not hang).
 */
public final class FuseProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public FuseProtocolException(String message) {
        super(message);
    }
}
