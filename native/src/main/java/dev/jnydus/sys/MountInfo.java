package dev.jnydus.sys;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The mounts of this process's mount namespace, as {@code /proc/self/mountinfo} lists them. Reading
 * the table never touches a mounted filesystem, so it is how the daemon looks at a mountpoint that
 * a dead or stuck FUSE daemon may hold: a {@code stat} there can wait forever. The FUSE session
 * finds its connection id here, the daemon its mountpoint's state.
 */
public final class MountInfo {
    static final Path SELF_MOUNTINFO = Path.of("/proc/self/mountinfo");

    /**
     * One line of mountinfo (proc(5)).
     *
     * @param id mount id
     * @param parentId id of the mount this one sits on (a mount stacked on the same path has the
     *     one below as its parent)
     * @param device {@code major:minor} of the filesystem
     * @param mountPoint where it is mounted, unescaped
     * @param fsType filesystem type ({@code fuse}, {@code fuse.sshfs}, {@code ext4}, ...)
     * @param source the mount source ({@code rafs} for our FUSE mounts)
     */
    public record Mount(int id, int parentId, String device, Path mountPoint, String fsType, String source) {
        /** Served by a FUSE daemon ({@code fuse}, {@code fuse.<subtype>}, {@code fuseblk}). */
        public boolean isFuse() {
            return fsType.equals("fuse") || fsType.startsWith("fuse.") || fsType.equals("fuseblk");
        }

        /**
         * The kernel's internal dev_t of the filesystem, {@code (major << 20) | minor}: for a
         * FUSE mount, the connection id naming {@code /sys/fs/fuse/connections/<id>}.
         */
        public OptionalLong devT() {
            int colon = device.indexOf(':');
            try {
                return OptionalLong.of((Long.parseLong(device.substring(0, colon)) << 20)
                        | Long.parseLong(device.substring(colon + 1)));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                return OptionalLong.empty();
            }
        }
    }

    private final List<Mount> mounts;

    private MountInfo(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    /** This process's mount table. */
    public static MountInfo read() throws IOException {
        // Read line by line: procfs files report a size of 0.
        try (BufferedReader r = Files.newBufferedReader(SELF_MOUNTINFO, StandardCharsets.UTF_8)) {
            return parse(r);
        }
    }

    public static MountInfo parse(String text) throws IOException {
        return parse(new BufferedReader(new StringReader(text)));
    }

    private static MountInfo parse(BufferedReader r) throws IOException {
        List<Mount> out = new ArrayList<>();
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            Mount m = parseLine(line);
            if (m != null) {
                out.add(m);
            }
        }
        return new MountInfo(out);
    }

    /** {@code 36 35 98:0 /root /mnt rw,noatime master:1 - ext3 /dev/root rw}; null if malformed. */
    private static Mount parseLine(String line) {
        String[] f = line.split(" ");
        int sep = -1;
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals("-")) {
                sep = i;
                break;
            }
        }
        if (sep < 0 || sep + 2 >= f.length) {
            return null;
        }
        try {
            return new Mount(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], Path.of(unescape(f[4])),
                    f[sep + 1], unescape(f[sep + 2]));
        } catch (NumberFormatException | InvalidPathException e) {
            return null;
        }
    }

    /** mountinfo writes space, tab, newline and backslash as {@code \ooo}. */
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
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    /**
     * The mount a lookup of {@code path} lands on when {@code path} is a mount point (the top of
     * the stack when several are mounted there); empty when it is not a mount point.
     */
    public Optional<Mount> top(Path path) {
        List<Mount> here = new ArrayList<>();
        for (Mount m : mounts) {
            if (m.mountPoint().equals(path)) {
                here.add(m);
            }
        }
        Set<Integer> covered = new HashSet<>();
        for (Mount m : here) {
            covered.add(m.parentId());
        }
        Mount top = null;
        for (Mount m : here) {
            if (!covered.contains(m.id())) {
                top = m; // the last such line, should several qualify
            }
        }
        return Optional.ofNullable(top != null ? top : here.isEmpty() ? null : here.get(here.size() - 1));
    }

    /**
     * The connection id of the mount on top of {@code mountpoint} ({@link Mount#devT}); empty when
     * nothing is mounted there, or (with {@code fuseOnly}) when the mount on top is not FUSE.
     */
    public OptionalLong connectionId(Path mountpoint, boolean fuseOnly) {
        Optional<Mount> m = top(mountpoint);
        if (m.isEmpty() || (fuseOnly && !m.get().isFuse())) {
            return OptionalLong.empty();
        }
        return m.get().devT();
    }

    /** How many mounts are stacked on {@code path}. */
    public int countAt(Path path) {
        int n = 0;
        for (Mount m : mounts) {
            if (m.mountPoint().equals(path)) {
                n++;
            }
        }
        return n;
    }
}
