package dev.jnydus.common;

import java.util.HexFormat;

/** Lower-case hex, as blob ids and digests are written. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    public static String of(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    public static byte[] parse(String hex) {
        return HEX.parseHex(hex);
    }
}
