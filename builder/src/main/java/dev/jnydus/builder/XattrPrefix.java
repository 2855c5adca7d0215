package dev.jnydus.builder;

import java.nio.charset.StandardCharsets;

/** The xattr name prefixes RAFS can store, with their EROFS name index (rafs-format 4.8, 5.8). */
enum XattrPrefix {
    USER("user.", 1),
    POSIX_ACL_ACCESS("system.posix_acl_access", 2),
    POSIX_ACL_DEFAULT("system.posix_acl_default", 3),
    TRUSTED("trusted.", 4),
    SECURITY("security.", 6);

    private final byte[] prefix;
    private final int index;

    XattrPrefix(String prefix, int index) {
        this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
        this.index = index;
    }

    int index() {
        return index;
    }

    int length() {
        return prefix.length;
    }

    /** The prefix of {@code name} (upstream's first match, in this order), or {@code null}. */
    static XattrPrefix matchOrNull(byte[] name) {
        for (XattrPrefix p : values()) {
            if (name.length >= p.prefix.length && java.util.Arrays.equals(name, 0, p.prefix.length, p.prefix, 0,
                    p.prefix.length)) {
                return p;
            }
        }
        return null;
    }

    static XattrPrefix match(byte[] name) {
        XattrPrefix p = matchOrNull(name);
        if (p == null) {
            throw new IllegalArgumentException("invalid xattr key " + new String(name, StandardCharsets.UTF_8));
        }
        return p;
    }

    /** Checks what upstream's {@code RafsXAttrs::add} checks; returns the reason or {@code null}. */
    static String invalidReason(byte[] name, byte[] value) {
        if (name.length > 255 || value.length > 0x10000) {
            return "xattr key/value is too big";
        }
        if (matchOrNull(name) == null) {
            return "unsupported xattr namespace (user., security., trusted., system.posix_acl_*)";
        }
        if (value.length > 0xFFFF) {
            return "xattr value size is too big";
        }
        return null;
    }
}
