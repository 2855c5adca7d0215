package dev.jnydus.fuse.server;

import dev.jnydus.fuse.abi.DirentHead;
import dev.jnydus.fuse.abi.EntryOut;
import dev.jnydus.fuse.abi.Fuse;
import dev.jnydus.fuse.api.DirPlusSink;
import dev.jnydus.fuse.api.DirSink;
import dev.jnydus.fuse.api.Entry;
import java.nio.ByteBuffer;

/**
 * Encodes {@code fuse_dirent} / {@code fuse_direntplus} records straight into the reply buffer,
 * each padded to 8 bytes, refusing an entry that does not fit whole (the kernel rejects a reply
 * with a partial record).
 */
final class DirEncoder implements DirSink, DirPlusSink {
    private static final byte[] ZEROS = new byte[8];

    private final ByteBuffer out;
    private boolean full;

    /** @param out the reply buffer positioned after the out header, limited to the size the kernel asked */
    DirEncoder(ByteBuffer out) {
        this.out = out;
    }

    @Override
    public boolean add(byte[] name, long ino, int type, long nextOffset) {
        int len = DirentHead.SIZE + checkName(name);
        int padded = Fuse.direntAlign(len);
        if (full || out.remaining() < padded) {
            full = true;
            return false;
        }
        new DirentHead(ino, nextOffset, name.length, type).encode(out);
        out.put(name);
        out.put(ZEROS, 0, padded - len);
        return true;
    }

    @Override
    public boolean add(byte[] name, long nextOffset, Entry entry) {
        int len = EntryOut.SIZE + DirentHead.SIZE + checkName(name);
        int padded = Fuse.direntAlign(len);
        if (full || out.remaining() < padded) {
            full = true;
            return false;
        }
        Encoding.entryOut(entry).encode(out);
        new DirentHead(entry.attr().ino(), nextOffset, name.length, entry.attr().dtype()).encode(out);
        out.put(name);
        out.put(ZEROS, 0, padded - len);
        return true;
    }

    private static int checkName(byte[] name) {
        if (name.length == 0 || name.length > 1024) {
            throw new IllegalArgumentException("directory entry name of " + name.length + " bytes");
        }
        return name.length;
    }
}
