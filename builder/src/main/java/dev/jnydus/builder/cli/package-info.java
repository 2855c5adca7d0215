/**
 * The {@code nydus-image} command line (picocli): parses upstream's flags into
 * {@link dev.jnydus.builder.BuildOptions}, runs the builder, prints one-line errors. Imports the
 * {@code dev.jnydus.builder} API only.
 */
package dev.jnydus.builder.cli;
