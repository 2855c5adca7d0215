package dev.jnydus.rafs.metadata;

/** Receives directory entries from {@link RafsSuper#readdir}. */
@FunctionalInterface
public interface DirentVisitor {
    /**
     * @param name the entry name (".", ".." included)
     * @param ino the inode number the entry names
     * @param type the file type, as the {@code S_IFMT} bits of a mode shifted right by 12 (DT_*)
     * @param nextOffset the offset to pass to {@code readdir} to continue after this entry
     * @return {@code false} to stop the walk
     */
    boolean accept(byte[] name, long ino, int type, long nextOffset) throws RafsFormatException;
}
