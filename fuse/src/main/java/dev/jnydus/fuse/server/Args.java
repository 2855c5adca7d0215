package dev.jnydus.fuse.server;

import dev.jnydus.fuse.abi.FuseProtocolException;
import java.nio.ByteBuffer;

/** Reading request arguments: length checks and NUL-terminated names. */
final class Args {
    private Args() {
    }

    /** Fails unless {@code in} has {@code size} more bytes for {@code struct}. */
    static void need(ByteBuffer in, int size, String struct) throws FuseProtocolException {
        if (in.remaining() < size) {
            throw new FuseProtocolException(struct + " needs " + size + " bytes, the request has " + in.remaining());
        }
    }

    /** Reads a NUL-terminated name, consuming the NUL. */
    static byte[] name(ByteBuffer in, String what) throws FuseProtocolException {
        int start = in.position();
        int end = start;
        int limit = in.limit();
        while (end < limit && in.get(end) != 0) {
            end++;
        }
        if (end == limit) {
            throw new FuseProtocolException(what + " without its terminating NUL (" + (end - start) + " bytes)");
        }
        byte[] n = new byte[end - start];
        in.get(n);
        in.get();
        return n;
    }
}
