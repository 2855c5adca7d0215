package dev.jnydus.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Extended attributes of a path, without following a final symlink ({@code llistxattr},
 * {@code lgetxattr}, {@code lsetxattr}). The JDK only reaches the {@code user.} namespace; image
 * builders need {@code trusted.}, {@code security.} and the POSIX ACL names too.
 *
 * <p>Paths are passed as their UTF-8 bytes, which is what the JDK uses when {@code sun.jnu.encoding}
 * is UTF-8 (a UTF-8 locale such as C.UTF-8).
 */
public final class Xattrs {
    private static final int ERANGE_RETRIES = 8;

    private Xattrs() {
    }

    /** Attribute names of {@code path}, in the order the filesystem lists them. */
    public static List<byte[]> list(Path path) throws FsException {
        byte[] p = cpath(path);
        for (int attempt = 0; attempt < ERANGE_RETRIES; attempt++) {
            long size = call("llistxattr", path, () -> Lib.INSTANCE.llistxattr(p, null, 0));
            if (size == 0) {
                return List.of();
            }
            byte[] buf = new byte[(int) size];
            long got;
            try {
                got = Lib.INSTANCE.llistxattr(p, buf, buf.length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.ERANGE.number()) {
                    continue; // the list grew between the two calls
                }
                throw error("llistxattr", path, e);
            }
            List<byte[]> names = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < got; i++) {
                if (buf[i] == 0) {
                    if (i > start) {
                        byte[] name = new byte[i - start];
                        System.arraycopy(buf, start, name, 0, name.length);
                        names.add(name);
                    }
                    start = i + 1;
                }
            }
            return names;
        }
        throw new FsException(Errno.ERANGE, "llistxattr " + path + ": attribute list keeps changing");
    }

    /** The value of attribute {@code name}, or {@code null} when the path does not have it. */
    public static byte[] get(Path path, byte[] name) throws FsException {
        byte[] p = cpath(path);
        byte[] n = Sys.cString(name);
        for (int attempt = 0; attempt < ERANGE_RETRIES; attempt++) {
            long size;
            try {
                size = Lib.INSTANCE.lgetxattr(p, n, null, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.ENODATA.number()) {
                    return null;
                }
                throw error("lgetxattr " + new String(name, StandardCharsets.UTF_8), path, e);
            }
            byte[] buf = new byte[(int) size];
            if (size == 0) {
                return buf;
            }
            try {
                long got = Lib.INSTANCE.lgetxattr(p, n, buf, buf.length);
                if (got == buf.length) {
                    return buf;
                }
                byte[] out = new byte[(int) got];
                System.arraycopy(buf, 0, out, 0, out.length);
                return out;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.ERANGE.number()) {
                    continue;
                }
                if (e.getErrorCode() == Errno.ENODATA.number()) {
                    return null;
                }
                throw error("lgetxattr " + new String(name, StandardCharsets.UTF_8), path, e);
            }
        }
        throw new FsException(Errno.ERANGE, "lgetxattr " + path + ": value keeps changing");
    }

    /** Sets attribute {@code name} of {@code path} (creating or replacing it). */
    public static void set(Path path, byte[] name, byte[] value) throws FsException {
        byte[] p = cpath(path);
        byte[] n = Sys.cString(name);
        call("lsetxattr " + new String(name, StandardCharsets.UTF_8), path,
                () -> (long) Lib.INSTANCE.lsetxattr(p, n, value, value.length, 0));
    }

    private interface Call {
        long run();
    }

    private static long call(String op, Path path, Call c) throws FsException {
        try {
            return c.run();
        } catch (LastErrorException e) {
            throw error(op, path, e);
        }
    }

    private static FsException error(String op, Path path, LastErrorException e) {
        return Sys.error(op + " " + path, e.getErrorCode());
    }

    private static byte[] cpath(Path path) {
        return Sys.cString(path.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Package-private binding; JNA turns -1 into {@link LastErrorException} carrying errno. */
    interface Lib extends Library {
        Lib INSTANCE = Native.load(LibC.library().getName(), Lib.class);

        long llistxattr(byte[] path, byte[] list, long size) throws LastErrorException;

        long lgetxattr(byte[] path, byte[] name, byte[] value, long size) throws LastErrorException;

        int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags) throws LastErrorException;
    }
}
