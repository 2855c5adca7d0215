package dev.jnydus.common;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian reads and writes on byte arrays and buffers, and unsigned views of them. */
public final class LittleEndian {
    private LittleEndian() {
    }

    public static ByteBuffer wrap(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static ByteBuffer allocate(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    public static int u8(ByteBuffer b, int off) {
        return b.get(off) & 0xFF;
    }

    public static int u16(ByteBuffer b, int off) {
        return b.order() == ByteOrder.LITTLE_ENDIAN ? b.getShort(off) & 0xFFFF
                : Short.reverseBytes(b.getShort(off)) & 0xFFFF;
    }

    public static long u32(ByteBuffer b, int off) {
        return Integer.toUnsignedLong(i32(b, off));
    }

    public static int i32(ByteBuffer b, int off) {
        int v = b.getInt(off);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    public static long i64(ByteBuffer b, int off) {
        long v = b.getLong(off);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    public static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    public static int i32(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    public static long u32(byte[] b, int off) {
        return Integer.toUnsignedLong(i32(b, off));
    }

    public static long i64(byte[] b, int off) {
        return (u32(b, off)) | ((long) i32(b, off + 4)) << 32;
    }

    public static void put16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    public static void put32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static void put64(byte[] b, int off, long v) {
        put32(b, off, (int) v);
        put32(b, off + 4, (int) (v >>> 32));
    }
}
