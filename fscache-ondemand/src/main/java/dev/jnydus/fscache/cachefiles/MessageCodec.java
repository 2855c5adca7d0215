package dev.jnydus.fscache.cachefiles;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Decodes the messages of {@code /dev/cachefiles} (spec sections 3 and 4) and encodes them for
 * tests and fakes. Byte order is the host's; the kernel always hands out whole messages, one per
 * read, so the buffer holds exactly one.
 *
 * <pre>
 * header   0  u32 msg_id     4  u32 opcode     8  u32 len (whole message)    12  u32 object_id
 * OPEN    16  u32 volume_key_size (with its NUL)   20  u32 cookie_key_size (no NUL)
 *         24  u32 fd           28  u32 flags        32  volume key, then cookie key
 * READ    16  u64 off          24  u64 len
 * CLOSE   no payload
 * </pre>
 */
public final class MessageCodec {
    /** {@code CACHEFILES_MSG_MAX_SIZE}: a read buffer of this size holds any message. */
    public static final int MAX_SIZE = 1024;
    static final int HEADER_SIZE = 16;
    static final int OPEN_FIXED_SIZE = HEADER_SIZE + 16;
    static final int READ_SIZE = HEADER_SIZE + 16;

    private MessageCodec() {
    }

    /** Decodes {@code buf[position, limit)}, which must be one whole message. */
    public static CachefilesMessage decode(ByteBuffer buf) throws CachefilesProtocolException {
        ByteBuffer b = buf.slice().order(ByteOrder.nativeOrder());
        int n = b.remaining();
        if (n < HEADER_SIZE) {
            throw new CachefilesProtocolException("message of " + n + " bytes is shorter than its header", -1, -1,
                    OptionalInt.empty());
        }
        int msgId = b.getInt(0);
        int opcode = b.getInt(4);
        long len = Integer.toUnsignedLong(b.getInt(8));
        int objectId = b.getInt(12);
        OptionalInt fd = opcode == CachefilesMessage.OPCODE_OPEN && n >= OPEN_FIXED_SIZE
                ? OptionalInt.of(b.getInt(24)) : OptionalInt.empty();
        if (len != n) {
            throw new CachefilesProtocolException("message " + msgId + " says " + len + " bytes, read " + n, msgId,
                    opcode, fd);
        }
        switch (opcode) {
            case CachefilesMessage.OPCODE_OPEN:
                return open(b, msgId, objectId, fd);
            case CachefilesMessage.OPCODE_CLOSE:
                if (n != HEADER_SIZE) {
                    throw new CachefilesProtocolException("CLOSE " + msgId + " has " + n + " bytes, expected "
                            + HEADER_SIZE, msgId, opcode, fd);
                }
                return new CachefilesMessage.Close(msgId, objectId);
            case CachefilesMessage.OPCODE_READ:
                if (n != READ_SIZE) {
                    throw new CachefilesProtocolException("READ " + msgId + " has " + n + " bytes, expected "
                            + READ_SIZE, msgId, opcode, fd);
                }
                long off = b.getLong(16);
                long length = b.getLong(24);
                if (off < 0 || length < 0 || off + length < 0) {
                    throw new CachefilesProtocolException("READ " + msgId + " has range " + Long.toUnsignedString(off)
                            + "+" + Long.toUnsignedString(length), msgId, opcode, fd);
                }
                return new CachefilesMessage.Read(msgId, objectId, off, length);
            default:
                throw new CachefilesProtocolException("message " + msgId + " has unknown opcode " + opcode, msgId,
                        opcode, fd);
        }
    }

    private static CachefilesMessage.Open open(ByteBuffer b, int msgId, int objectId, OptionalInt fd)
            throws CachefilesProtocolException {
        int n = b.remaining();
        if (n < OPEN_FIXED_SIZE) {
            throw new CachefilesProtocolException("OPEN " + msgId + " has " + n + " bytes, at least "
                    + OPEN_FIXED_SIZE + " expected", msgId, CachefilesMessage.OPCODE_OPEN, fd);
        }
        long volumeSize = Integer.toUnsignedLong(b.getInt(16));
        long cookieSize = Integer.toUnsignedLong(b.getInt(20));
        int flags = b.getInt(28);
        if (OPEN_FIXED_SIZE + volumeSize + cookieSize != n) {
            throw new CachefilesProtocolException("OPEN " + msgId + " keys of " + volumeSize + " + " + cookieSize
                    + " bytes do not fill its " + n + " bytes", msgId, CachefilesMessage.OPCODE_OPEN, fd);
        }
        if (volumeSize == 0 || b.get(OPEN_FIXED_SIZE + (int) volumeSize - 1) != 0) {
            throw new CachefilesProtocolException("OPEN " + msgId + " volume key is not NUL-terminated", msgId,
                    CachefilesMessage.OPCODE_OPEN, fd);
        }
        byte[] volume = new byte[(int) volumeSize - 1];
        b.get(OPEN_FIXED_SIZE, volume);
        for (byte x : volume) {
            if (x == 0) {
                throw new CachefilesProtocolException("OPEN " + msgId + " volume key has a NUL inside", msgId,
                        CachefilesMessage.OPCODE_OPEN, fd);
            }
        }
        byte[] cookie = new byte[(int) cookieSize];
        b.get(OPEN_FIXED_SIZE + (int) volumeSize, cookie);
        return new CachefilesMessage.Open(msgId, objectId, new String(volume, StandardCharsets.ISO_8859_1),
                new String(cookie, StandardCharsets.ISO_8859_1), fd.getAsInt(), flags);
    }

    /** The message as the kernel would write it (for tests and fake devices). */
    public static ByteBuffer encode(CachefilesMessage m) {
        ByteBuffer b;
        if (m instanceof CachefilesMessage.Open o) {
            byte[] volume = o.volumeKey().getBytes(StandardCharsets.ISO_8859_1);
            byte[] cookie = o.cookieKey().getBytes(StandardCharsets.ISO_8859_1);
            int len = OPEN_FIXED_SIZE + volume.length + 1 + cookie.length;
            b = header(m, CachefilesMessage.OPCODE_OPEN, len);
            b.putInt(volume.length + 1).putInt(cookie.length).putInt(o.fd()).putInt(o.flags());
            b.put(volume).put((byte) 0).put(cookie);
        } else if (m instanceof CachefilesMessage.Read r) {
            b = header(m, CachefilesMessage.OPCODE_READ, READ_SIZE);
            b.putLong(r.offset()).putLong(r.length());
        } else {
            b = header(m, CachefilesMessage.OPCODE_CLOSE, HEADER_SIZE);
        }
        return b.flip();
    }

    private static ByteBuffer header(CachefilesMessage m, int opcode, int len) {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        return b.putInt(m.msgId()).putInt(opcode).putInt(len).putInt(m.objectId());
    }
}
