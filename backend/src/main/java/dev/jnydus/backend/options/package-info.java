/**
 * Typed options of each backend, with upstream's defaults (nydusd-interface.md 2.4, 2.8). The
 * daemon maps its configuration model onto these records; this package parses nothing. Builders
 * validate eagerly and quote the offending values, except secrets, which no {@code toString} shows.
 * Imports only the JDK.
 */
package dev.jnydus.backend.options;
