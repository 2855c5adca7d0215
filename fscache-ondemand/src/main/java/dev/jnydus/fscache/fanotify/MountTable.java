package dev.jnydus.fscache.fanotify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What {@code /proc/self/mountinfo} says is mounted at a path (the topmost mount). */
final class MountTable {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /** One line: filesystem type and source (both unescaped). */
    record Entry(String mountpoint, String fsType, String source) {
    }

    private MountTable() {
    }

    static Optional<Entry> at(Path mountpoint) throws IOException {
        return at(Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8), mountpoint.toString());
    }

    /** The last (topmost) entry mounted at {@code mountpoint} in mountinfo {@code lines}. */
    static Optional<Entry> at(List<String> lines, String mountpoint) {
        Entry found = null;
        for (String line : lines) {
            // id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions
            String[] f = line.split(" ");
            int sep = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    sep = i;
                    break;
                }
            }
            if (f.length < 5 || sep < 0 || sep + 2 >= f.length) {
                continue;
            }
            String mp = unescape(f[4]);
            if (mp.equals(mountpoint)) {
                found = new Entry(mp, unescape(f[sep + 1]), unescape(f[sep + 2]));
            }
        }
        return Optional.ofNullable(found);
    }

    /** The kernel writes space, tab, newline and backslash as octal escapes ({@code \040}). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length];
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\\' && i + 3 < in.length && isOctal(in[i + 1]) && isOctal(in[i + 2]) && isOctal(in[i + 3])) {
                out[n++] = (byte) (((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) | (in[i + 3] - '0'));
                i += 3;
            } else {
                out[n++] = in[i];
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }
}
