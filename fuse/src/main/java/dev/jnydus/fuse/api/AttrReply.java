package dev.jnydus.fuse.api;

import java.time.Duration;
import java.util.Objects;

/** Attributes and how long the kernel may cache them. */
public record AttrReply(Attr attr, Duration timeout) {
    public AttrReply {
        Objects.requireNonNull(attr, "attr");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
    }
}
