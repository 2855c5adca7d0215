package dev.jnydus.builder;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A one-pass tar reader for OCI layers: ustar and GNU headers, GNU long names and long link names,
 * PAX extended headers (local and global) with their values kept as raw bytes, so binary xattrs
 * such as {@code security.capability} survive (general-purpose readers decode PAX values as
 * UTF-8, which corrupts them). Checksums are verified; zero blocks are skipped, as upstream's
 * builder does, so concatenated archives read whole.
 */
final class TarReader {
    private static final int BLOCK = 512;

    /** One archive member. {@code xattrs} come from {@code SCHILY.xattr.*} PAX records. */
    record Entry(String name, char type, int mode, long uid, long gid, long size, long mtime, String linkName,
            long devMajor, long devMinor, Map<byte[], byte[]> xattrs) {
    }

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private final Map<String, byte[]> globalPax = new HashMap<>();
    private long remaining;
    private long padding;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or {@code null} at the end of the archive. Skips any unread data first. */
    Entry next() throws IOException {
        skipRest();
        String longName = null;
        String longLink = null;
        Map<String, byte[]> pax = new LinkedHashMap<>(globalPax);
        while (true) {
            if (!readHeader()) {
                return null;
            }
            char type = (char) header[156];
            long size = number(124, 12, "size");
            switch (type) {
                case 'L' -> longName = cstring(readData(size, "GNU long name"));
                case 'K' -> longLink = cstring(readData(size, "GNU long link name"));
                case 'x' -> parsePax(readData(size, "PAX header"), pax);
                case 'g' -> {
                    Map<String, byte[]> g = new LinkedHashMap<>();
                    parsePax(readData(size, "PAX global header"), g);
                    globalPax.putAll(g);
                    pax.putAll(g);
                }
                default -> {
                    return entry(type, size, longName, longLink, pax);
                }
            }
        }
    }

    private Entry entry(char type, long size, String longName, String longLink, Map<String, byte[]> pax)
            throws IOException {
        String name = longName != null ? longName : ustarName();
        String link = longLink != null ? longLink : field(157, 100);
        long uid = number(108, 8, "uid");
        long gid = number(116, 8, "gid");
        long mtime = number(136, 12, "mtime");
        Map<byte[], byte[]> xattrs = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
        for (Map.Entry<String, byte[]> e : pax.entrySet()) {
            String k = e.getKey();
            byte[] v = e.getValue();
            switch (k) {
                case "path" -> name = new String(v, StandardCharsets.UTF_8);
                case "linkpath" -> link = new String(v, StandardCharsets.UTF_8);
                case "size" -> size = decimal(v, k);
                case "uid" -> uid = decimal(v, k);
                case "gid" -> gid = decimal(v, k);
                case "mtime" -> mtime = paxTime(v);
                default -> {
                    if (k.startsWith("SCHILY.xattr.")) {
                        xattrs.put(k.substring("SCHILY.xattr.".length()).getBytes(StandardCharsets.UTF_8), v);
                    } else if (k.startsWith("GNU.sparse.")) {
                        throw new IOException("entry " + name + ": unsupported gnu sparse file extension");
                    }
                }
            }
        }
        if (size < 0) {
            throw new IOException("entry " + name + ": invalid size " + size);
        }
        if (type == 'S') {
            throw new IOException("entry " + name + ": unsupported gnu sparse file extension");
        }
        // Like upstream's tar crate, every entry owns `size` bytes of data, whatever its type.
        remaining = size;
        padding = (BLOCK - size % BLOCK) % BLOCK;
        return new Entry(name, type, (int) number(100, 8, "mode"), uid, gid, size, mtime, link,
                number(329, 8, "devmajor"), number(337, 8, "devminor"), xattrs);
    }

    /** The data of the current entry; reads past its end return -1. */
    InputStream data() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new EOFException("truncated tar archive: entry data ends early");
                }
                remaining -= n;
                return n;
            }
        };
    }

    private void skipRest() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
    }

    private void skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new EOFException("truncated tar archive");
            }
            n -= r;
        }
    }

    /** Reads the next non-zero header block; false at end of input. */
    private boolean readHeader() throws IOException {
        while (true) {
            int got = in.readNBytes(header, 0, BLOCK);
            if (got == 0) {
                return false;
            }
            if (got < BLOCK) {
                throw new EOFException("truncated tar archive: partial header block");
            }
            boolean zero = true;
            for (byte x : header) {
                if (x != 0) {
                    zero = false;
                    break;
                }
            }
            if (zero) {
                continue; // end-of-archive marker or padding between concatenated archives
            }
            long stored = number(148, 8, "checksum");
            long unsigned = 0;
            long signed = 0;
            for (int i = 0; i < BLOCK; i++) {
                int b = i >= 148 && i < 156 ? ' ' : header[i];
                unsigned += b & 0xFF;
                signed += b;
            }
            if (stored != unsigned && stored != signed) {
                throw new IOException("corrupt tar header (checksum " + stored + ", computed " + unsigned + ")");
            }
            return true;
        }
    }

    private byte[] readData(long size, String what) throws IOException {
        if (size < 0 || size > (64 << 20)) {
            throw new IOException("invalid " + what + " size " + size);
        }
        byte[] b = in.readNBytes((int) size);
        if (b.length < size) {
            throw new EOFException("truncated tar archive in " + what);
        }
        skip((BLOCK - size % BLOCK) % BLOCK);
        return b;
    }

    /** PAX records: "LEN KEY=VALUE\n", LEN counting the whole record; values are raw bytes. */
    private static void parsePax(byte[] d, Map<String, byte[]> out) throws IOException {
        int i = 0;
        while (i < d.length) {
            if (d[i] == 0) {
                break;
            }
            int sp = i;
            while (sp < d.length && d[sp] != ' ') {
                sp++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(d, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("corrupt PAX header record at byte " + i);
            }
            int end = i + len;
            if (len <= 0 || end > d.length || d[end - 1] != '\n') {
                throw new IOException("corrupt PAX header record at byte " + i);
            }
            int eq = sp + 1;
            while (eq < end && d[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new IOException("corrupt PAX header record at byte " + i);
            }
            String key = new String(d, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(d, eq + 1, end - 1);
            out.put(key, value);
            i = end;
        }
    }

    private String ustarName() {
        String name = field(0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        if (ustar) {
            String prefix = field(345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private String field(int off, int len) {
        int end = off;
        while (end < off + len && header[end] != 0) {
            end++;
        }
        return new String(header, off, end - off, StandardCharsets.UTF_8);
    }

    /** Octal (NUL/space terminated) or GNU base-256 numbers. */
    private long number(int off, int len, String what) throws IOException {
        if ((header[off] & 0x80) != 0) {
            long v = header[off] & 0x7F;
            for (int i = 1; i < len; i++) {
                v = (v << 8) | (header[off + i] & 0xFF);
            }
            return v;
        }
        long v = 0;
        int end = off + len;
        int i = off;
        while (i < end && header[i] == ' ') {
            i++;
        }
        for (; i < end && header[i] != 0 && header[i] != ' '; i++) {
            int c = header[i] - '0';
            if (c < 0 || c > 7) {
                throw new IOException("corrupt tar header: invalid " + what + " field");
            }
            v = (v << 3) | c;
        }
        return v;
    }

    private static long paxTime(byte[] v) throws IOException {
        try {
            return (long) Math.floor(Double.parseDouble(new String(v, StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            throw new IOException("corrupt PAX mtime value");
        }
    }

    private static long decimal(byte[] v, String key) throws IOException {
        try {
            return Long.parseLong(new String(v, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new IOException("corrupt PAX " + key + " value");
        }
    }

    private static String cstring(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }
}
