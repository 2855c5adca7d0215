package dev.jnydus.fuse.api;

import java.time.Duration;
import java.util.Objects;

/**
 * A looked-up name: the node id the kernel will use for it, the generation ({@code nodeId:generation}
 * must be unique over the filesystem's lifetime), its attributes and how long the kernel may cache
 * the name and the attributes.
 *
 * <p>Returning an entry with node id other than 0 from {@code lookup} (and from readdirplus, when
 * the sink accepts it) adds one to that node's lookup count, which the kernel later gives back with
 * {@code forget}. A {@linkplain #negative negative} entry (node id 0) adds nothing; the kernel
 * caches the absence for {@code entryTimeout}.
 */
public record Entry(long nodeId, long generation, Attr attr, Duration entryTimeout, Duration attrTimeout) {
    public Entry {
        Objects.requireNonNull(attr, "attr");
        Objects.requireNonNull(entryTimeout, "entryTimeout");
        Objects.requireNonNull(attrTimeout, "attrTimeout");
        if (entryTimeout.isNegative() || attrTimeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout: entry " + entryTimeout + ", attr " + attrTimeout);
        }
    }

    private static final Attr NO_ATTR = Attr.builder().build();

    /** "No such name", cached by the kernel for {@code timeout} (zero: not cached, the same as ENOENT). */
    public static Entry negative(Duration timeout) {
        return new Entry(0, 0, NO_ATTR, timeout, Duration.ZERO);
    }

    public boolean isNegative() {
        return nodeId == 0;
    }
}
