package dev.jnydus.fuse.api;

/**
 * Where {@link FileSystem#readdir} puts entries. The server encodes each into the reply buffer
 * directly.
 */
@FunctionalInterface
public interface DirSink {
    /**
     * Adds one entry.
     *
     * @param name the name bytes (no NUL; "." and ".." are ordinary entries here)
     * @param ino the st_ino to report
     * @param type the {@code DT_*} type: the mode's type bits shifted right by 12 (see {@link Attr#dtype})
     * @param nextOffset the offset at which a later readdir continues after this entry; never 0
     * @return {@code false} when the reply is full: the entry was not added and the filesystem must
     *     stop (the kernel asks again from this entry's offset)
     */
    boolean add(byte[] name, long ino, int type, long nextOffset);
}
