package dev.jnydus.fuse.server;

import dev.jnydus.fuse.api.FsOptions;

/**
 * What INIT settled: the protocol version in use (the smaller of the kernel's and ours), the enabled
 * capabilities, and the limits we announced.
 */
public record Negotiated(int major, int minor, FsOptions enabled, FsOptions kernelCapable, int maxReadahead,
        int maxWrite, int maxPages) {
}
