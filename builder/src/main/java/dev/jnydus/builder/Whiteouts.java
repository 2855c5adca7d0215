package dev.jnydus.builder;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Whiteout recognition (upstream {@code builder/src/core/overlay.rs}). */
final class Whiteouts {
    static final String OCI_PREFIX = ".wh.";
    static final String OCI_OPAQUE = ".wh..wh..opq";
    static final byte[] OVERLAYFS_OPAQUE_XATTR = "trusted.overlay.opaque".getBytes(StandardCharsets.US_ASCII);

    enum Type { OCI_OPAQUE, OCI_REMOVAL, OVERLAYFS_OPAQUE, OVERLAYFS_REMOVAL }

    private Whiteouts() {
    }

    /** The whiteout meaning of an upper-layer node, or {@code null} for an ordinary entry. */
    static Type typeOf(Node n, WhiteoutSpec spec) {
        if (n.overlay == Overlay.LOWER) {
            return null;
        }
        switch (spec) {
            case OCI -> {
                String name = n.name();
                if (name.equals(OCI_OPAQUE)) {
                    return Type.OCI_OPAQUE;
                }
                if (name.startsWith(OCI_PREFIX)) {
                    return Type.OCI_REMOVAL;
                }
                return null;
            }
            case OVERLAYFS -> {
                if (isOverlayfsWhiteout(n)) {
                    return Type.OVERLAYFS_REMOVAL;
                }
                if (isOverlayfsOpaque(n, spec)) {
                    return Type.OVERLAYFS_OPAQUE;
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /** A char device 0:0. */
    static boolean isOverlayfsWhiteout(Node n) {
        return n.isChr() && (n.rdev & 0xFFFF_FFFFL) == 0;
    }

    static boolean isOverlayfsOpaque(Node n, WhiteoutSpec spec) {
        if (spec != WhiteoutSpec.OVERLAYFS || !n.isDir()) {
            return false;
        }
        byte[] v = n.xattrs.get(OVERLAYFS_OPAQUE_XATTR);
        return v != null && Arrays.equals(v, new byte[] {'y'});
    }

    /** The name an OCI removal whiteout removes. */
    static byte[] removedName(Node n) {
        return n.name().substring(OCI_PREFIX.length()).getBytes(StandardCharsets.UTF_8);
    }
}
