package dev.jnydus.fuse.api;

/** Where {@link FileSystem#readdirplus} puts entries with their looked-up attributes. */
@FunctionalInterface
public interface DirPlusSink {
    /**
     * Adds one entry together with what a lookup of it returns.
     *
     * @param name the name bytes (no NUL)
     * @param nextOffset the offset at which a later readdirplus continues after this entry; never 0
     * @param entry the entry as {@code lookup} would return it; its node id counts as one lookup
     *     <em>only if this method returns {@code true}</em> and the name is neither "." nor ".."
     *     (the kernel does not take references for those two). A {@linkplain Entry#negative negative}
     *     entry (node id 0) lists the name without attributes and takes no lookup.
     * @return {@code false} when the reply is full: nothing was added and nothing may be counted
     */
    boolean add(byte[] name, long nextOffset, Entry entry);
}
