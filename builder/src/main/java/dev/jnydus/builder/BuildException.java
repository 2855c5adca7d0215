package dev.jnydus.builder;

import java.io.IOException;

/**
 * A build that cannot go on. The message names the entry (path in the image or in the source) and
 * the reason in one line, e.g. {@code "/etc/shadow: cannot read: Permission denied"}; no partial
 * output is left behind when it is thrown.
 */
public final class BuildException extends IOException {
    private static final long serialVersionUID = 1L;

    public BuildException(String message) {
        super(message);
    }

    public BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
