package dev.jnydus.fscache.cachefiles;

import java.util.OptionalInt;

/**
 * A message from {@code /dev/cachefiles} that does not decode. The message is dropped; when it
 * carried an anonymous fd ({@link #fd()}) the caller closes it and, for an OPEN, fails the request
 * so that the kernel does not wait for it.
 */
public final class CachefilesProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int msgId;
    private final int opcode;
    private final OptionalInt fd;

    CachefilesProtocolException(String message, int msgId, int opcode, OptionalInt fd) {
        super(message);
        this.msgId = msgId;
        this.opcode = opcode;
        this.fd = fd;
    }

    /** The header's msg_id, or -1 when the message was shorter than a header. */
    public int msgId() {
        return msgId;
    }

    /** The header's opcode, or -1 when the message was shorter than a header. */
    public int opcode() {
        return opcode;
    }

    /** The anonymous fd an OPEN installed, when the message got that far. */
    public OptionalInt fd() {
        return fd;
    }
}
