package dev.jnydus.fscache.fanotify;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What travels with the group descriptor when one daemon hands a live mount to another: which
 * mount it is, so that the receiver can refuse a group that is not for its image. Encoded as a
 * 4-byte big-endian length and UTF-8 lines {@code key value}.
 */
record HandoverMessage(String mountpoint, String bootstrap) {
    static final String MAGIC = "jnydus-fanotify-handover 1";
    static final int MAX_BYTES = 64 * 1024;

    ByteBuffer encode() {
        byte[] text = (MAGIC + "\nmountpoint " + mountpoint + "\nbootstrap " + bootstrap + "\n")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + text.length);
        b.putInt(text.length).put(text).flip();
        return b;
    }

    /** The length the 4-byte prefix announces; -1 when it is out of bounds. */
    static int announcedLength(ByteBuffer prefix) {
        int n = prefix.getInt(0);
        return n < 0 || n > MAX_BYTES ? -1 : n;
    }

    static HandoverMessage decode(byte[] text) {
        String s = new String(text, StandardCharsets.UTF_8);
        String[] lines = s.split("\n");
        if (lines.length < 3 || !lines[0].equals(MAGIC)) {
            throw new IllegalArgumentException("not a fanotify handover message: " + firstLine(s));
        }
        String mp = null;
        String boot = null;
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i];
            if (l.startsWith("mountpoint ")) {
                mp = l.substring("mountpoint ".length());
            } else if (l.startsWith("bootstrap ")) {
                boot = l.substring("bootstrap ".length());
            }
        }
        if (mp == null || boot == null) {
            throw new IllegalArgumentException("fanotify handover message without mountpoint or bootstrap");
        }
        return new HandoverMessage(mp, boot);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String l = nl < 0 ? s : s.substring(0, nl);
        return l.length() > 60 ? l.substring(0, 60) + "..." : l;
    }
}
