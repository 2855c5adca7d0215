package dev.jnydus.fuse.api;

/** Filesystem statistics ({@code statfs(2)}). Block counts are in units of {@code frsize}. */
public record StatFs(long blocks, long bfree, long bavail, long files, long ffree, int bsize, int namelen,
        int frsize) {
}
