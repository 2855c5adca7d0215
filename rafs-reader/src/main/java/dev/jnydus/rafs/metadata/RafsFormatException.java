package dev.jnydus.rafs.metadata;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;

/**
 * A bootstrap that breaks the format. The message names the field and the value ("invalid block
 * size bits 13"). A reader of the mounted image sees EIO.
 */
public final class RafsFormatException extends FsException {
    private static final long serialVersionUID = 1L;

    public RafsFormatException(String message) {
        super(Errno.EIO, message);
    }

    public RafsFormatException(String message, Throwable cause) {
        super(Errno.EIO, message, cause);
    }
}
