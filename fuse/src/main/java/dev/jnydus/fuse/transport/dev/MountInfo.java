package dev.jnydus.fuse.transport.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads {@code /proc/self/mountinfo} for a FUSE connection's id without touching the mount: a
 * stat of a mountpoint whose daemon is gone (while a successor waits to take it over) waits for
 * an answer nobody gives, but the mount table holds the device number the id is made of.
 */
final class MountInfo {
    static final Path SELF = Path.of("/proc/self/mountinfo");

    private MountInfo() {
    }

    /**
     * The connection id of the mount on top of {@code mountpoint}: the kernel's
     * {@code MKDEV(major, minor)} = {@code major << 20 | minor} of the device the table lists
     * for it; empty when nothing is mounted there, or (with {@code fuseOnly}) when the mount on
     * top is not a FUSE filesystem.
     */
    static OptionalLong connectionId(List<String> lines, Path mountpoint, boolean fuseOnly) {
        String want = mountpoint.toString();
        OptionalLong id = OptionalLong.empty();
        for (String line : lines) {
            // id parent major:minor root mountpoint options [optional fields...] - type source super
            String[] f = line.split(" ");
            if (f.length < 5 || !unescape(f[4]).equals(want)) {
                continue;
            }
            int colon = f[2].indexOf(':');
            int dash = line.indexOf(" - ");
            if (colon <= 0 || dash < 0) {
                continue;
            }
            String type = line.substring(dash + 3).split(" ")[0];
            try {
                long major = Long.parseLong(f[2].substring(0, colon));
                long minor = Long.parseLong(f[2].substring(colon + 1));
                boolean fuse = type.equals("fuse") || type.startsWith("fuse.");
                // Later lines are mounted on top of earlier ones.
                id = !fuseOnly || fuse ? OptionalLong.of((major << 20) | minor) : OptionalLong.empty();
            } catch (NumberFormatException e) {
                // not a line of the format we know
            }
        }
        return id;
    }

    static OptionalLong connectionId(List<String> lines, Path mountpoint) {
        return connectionId(lines, mountpoint, false);
    }

    static OptionalLong connectionId(Path mountpoint, boolean fuseOnly) throws IOException {
        return connectionId(Files.readAllLines(SELF, StandardCharsets.UTF_8), mountpoint, fuseOnly);
    }

    /** Undoes the kernel's octal escapes of space, tab, newline and backslash in paths. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
