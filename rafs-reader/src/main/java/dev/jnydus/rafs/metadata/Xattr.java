package dev.jnydus.rafs.metadata;

import java.nio.charset.StandardCharsets;

/** One extended attribute: the full name (prefix included) and the raw value. */
public record Xattr(byte[] name, byte[] value) {
    public String nameString() {
        return new String(name, StandardCharsets.UTF_8);
    }
}
