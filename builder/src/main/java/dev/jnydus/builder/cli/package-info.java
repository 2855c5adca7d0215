/**
 * The {@code nydus-image} command line (picocli): parses upstream's flags, runs the builder, the
 * merger or the checker, prints one-line errors. Imports the {@code dev.jnydus.builder} API and the
 * rafs-reader API only.
 */
package dev.jnydus.builder.cli;
