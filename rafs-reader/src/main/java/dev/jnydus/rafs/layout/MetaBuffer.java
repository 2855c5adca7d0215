package dev.jnydus.rafs.layout;

import dev.jnydus.common.Preconditions;
import dev.jnydus.rafs.metadata.RafsFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * A read-only, memory-mapped bootstrap with bounds-checked little-endian reads. Every read names the
 * field it decodes, so that a pointer past the end becomes a {@link RafsFormatException} saying
 * which field was wrong instead of an {@link IndexOutOfBoundsException}. Thread-safe: only absolute
 * reads are used on the shared buffer.
 */
public final class MetaBuffer {
    private final ByteBuffer buf;
    private final long size;

    private MetaBuffer(ByteBuffer buf) {
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
        this.size = buf.capacity();
    }

    /**
     * Maps a bootstrap file. Only a regular file (or a symlink to one) is opened: opening a FIFO
     * waits for a writer forever, and a device or a directory has no bootstrap size to map.
     */
    public static MetaBuffer map(Path path) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        if (!attrs.isRegularFile()) {
            throw new RafsFormatException("bootstrap " + path + " is not a regular file (" + kind(path, attrs) + ")");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new RafsFormatException("bootstrap " + path + " is " + size + " bytes, larger than 2 GiB");
            }
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return new MetaBuffer(mapped);
        }
    }

    private static String kind(Path path, BasicFileAttributes attrs) throws IOException {
        if (attrs.isDirectory()) {
            return "a directory";
        }
        int type = (Integer) Files.getAttribute(path, "unix:mode") & 0170000;
        return switch (type) {
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "file type 0" + Integer.toOctalString(type);
        };
    }

    /** Wraps bytes already in memory (tests, fuzzing). */
    public static MetaBuffer wrap(byte[] bytes) {
        return new MetaBuffer(ByteBuffer.wrap(bytes));
    }

    public long size() {
        return size;
    }

    /** A read-only view of the whole file mapping; empty for bytes wrapped from the heap. */
    public Optional<ByteBuffer> mapping() {
        return buf.isDirect() ? Optional.of(buf.asReadOnlyBuffer().clear()) : Optional.empty();
    }

    /** Fails unless {@code [offset, offset+length)} lies in the bootstrap. */
    public void check(long offset, long length, String field) throws RafsFormatException {
        if (!Preconditions.inBounds(offset, length, size)) {
            throw new RafsFormatException(field + ": range " + offset + "+" + length + " is outside the bootstrap ("
                    + size + " bytes)");
        }
    }

    public int u8(long off, String field) throws RafsFormatException {
        check(off, 1, field);
        return buf.get((int) off) & 0xFF;
    }

    public int u16(long off, String field) throws RafsFormatException {
        check(off, 2, field);
        return buf.getShort((int) off) & 0xFFFF;
    }

    public long u32(long off, String field) throws RafsFormatException {
        check(off, 4, field);
        return Integer.toUnsignedLong(buf.getInt((int) off));
    }

    public int i32(long off, String field) throws RafsFormatException {
        check(off, 4, field);
        return buf.getInt((int) off);
    }

    public long u64(long off, String field) throws RafsFormatException {
        check(off, 8, field);
        return buf.getLong((int) off);
    }

    public byte[] bytes(long off, int len, String field) throws RafsFormatException {
        check(off, len, field);
        byte[] out = new byte[len];
        buf.get((int) off, out);
        return out;
    }

    /** Copies bytes into {@code dst} up to its remaining space. */
    public void copy(long off, ByteBuffer dst, String field) throws RafsFormatException {
        int len = dst.remaining();
        check(off, len, field);
        dst.put(buf.slice((int) off, len));
    }

    /** Compares {@code name} with the bytes at {@code off} as unsigned bytes, like memcmp then length. */
    public int compareName(long off, int len, byte[] name, String field) throws RafsFormatException {
        check(off, len, field);
        int n = Math.min(len, name.length);
        for (int i = 0; i < n; i++) {
            int a = buf.get((int) off + i) & 0xFF;
            int b = name[i] & 0xFF;
            if (a != b) {
                return a - b;
            }
        }
        return len - name.length;
    }
}
