package dev.jnydus.fuse.api;

/**
 * Who asked: the request's unique id and the caller's credentials as the kernel reports them (uid
 * and gid are the caller's fsuid/fsgid, pid its thread-group id; all may be 0 for kernel-internal
 * requests such as readahead and forgets).
 */
public record Context(long unique, int uid, int gid, int pid) {
}
