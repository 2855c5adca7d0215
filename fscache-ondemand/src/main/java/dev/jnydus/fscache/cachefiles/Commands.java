package dev.jnydus.fscache.cachefiles;

import dev.jnydus.common.Errno;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The text commands written to {@code /dev/cachefiles} (spec 2.1, 2.2): one command per write,
 * name, a space, the argument; no newline and no NUL (the kernel cuts at the first newline and
 * refuses a NUL), shorter than a page. Numbers go out in decimal, which the kernel's base
 * auto-detection reads as such.
 */
public final class Commands {
    /** The kernel's limit: page size minus one. */
    static final int MAX_LENGTH = 4095;

    private Commands() {
    }

    /** {@code dir <path>}: the cache root. */
    public static String dir(Path dir) {
        return command("dir", dir.toString());
    }

    /** {@code tag <tag>}: the cache tag (the kernel's default is {@code CacheFiles}). */
    public static String tag(String tag) {
        return command("tag", tag);
    }

    /** {@code bind ondemand}: brings the cache online in on-demand mode. */
    public static String bindOndemand() {
        return "bind ondemand";
    }

    /** {@code restore}: marks every request the previous daemon took but did not answer as new again. */
    public static String restore() {
        return "restore";
    }

    /** {@code copen <msg_id>,<size>}: the OPEN succeeded; the object holds {@code size} bytes. */
    public static String copen(int msgId, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("object size " + size + " is negative; use copenError");
        }
        return "copen " + Integer.toUnsignedString(msgId) + "," + size;
    }

    /** {@code copen <msg_id>,-<errno>}: the OPEN failed; the opener gets {@code errno}. */
    public static String copenError(int msgId, Errno errno) {
        return "copen " + Integer.toUnsignedString(msgId) + "," + (-errno.number());
    }

    /** {@code cull <name>}: moves cache file {@code name} of the daemon's working directory to the graveyard. */
    public static String cull(String name) {
        return command("cull", fileName(name));
    }

    /** {@code inuse <name>}: fails with EBUSY when that cache file is in use. */
    public static String inuse(String name) {
        return command("inuse", fileName(name));
    }

    private static String fileName(String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("cache file name '" + name + "' must be one non-empty path component");
        }
        return name;
    }

    private static String command(String name, String arg) {
        if (arg.isEmpty()) {
            throw new IllegalArgumentException(name + " needs an argument");
        }
        if (arg.indexOf('\n') >= 0 || arg.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(name + " argument '" + arg + "' contains a newline or NUL");
        }
        String c = name + " " + arg;
        if (c.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw new IllegalArgumentException(name + " command is longer than " + MAX_LENGTH + " bytes");
        }
        return c;
    }
}
