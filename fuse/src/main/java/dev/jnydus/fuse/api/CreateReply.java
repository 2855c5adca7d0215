package dev.jnydus.fuse.api;

import java.util.Objects;

/** What CREATE and TMPFILE return: the new entry (one lookup) and the open handle. */
public record CreateReply(Entry entry, OpenReply open) {
    public CreateReply {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(open, "open");
    }
}
