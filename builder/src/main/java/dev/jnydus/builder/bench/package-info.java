/** Benchmarks run from scripts in {@code scripts/bench/}; not used by the commands. */
package dev.jnydus.builder.bench;
