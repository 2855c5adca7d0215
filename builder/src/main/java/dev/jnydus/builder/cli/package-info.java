/** The {@code nydus-image} command line (picocli). */
package dev.jnydus.builder.cli;
