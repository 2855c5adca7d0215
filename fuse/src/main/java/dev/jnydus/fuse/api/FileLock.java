package dev.jnydus.fuse.api;

/** A POSIX record lock range ({@code struct fuse_file_lock}); {@code type} is F_RDLCK, F_WRLCK or F_UNLCK. */
public record FileLock(long start, long end, int type, int pid) {
}
