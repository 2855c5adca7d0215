/**
 * Shared test support: where the upstream fixtures are, privileged-test gating, test trees, fakes.
 * For the FUSE layer: {@link dev.jnydus.testkit.ByteBufferFuseChannel} (a channel over byte arrays,
 * so a {@code Server} runs without /dev/fuse), {@link dev.jnydus.testkit.FuseRequest} (builds
 * requests as the kernel writes them) and {@link dev.jnydus.testkit.InMemoryFileSystem} (a small
 * read-only tree that counts lookups and open handles).
 * Test scope only; nothing in a main source set may depend on it.
 */
package dev.jnydus.testkit;
