/**
 * Shared test support: where the upstream fixtures are, privileged-test gating, test trees, fakes.
 * Test scope only; nothing in a main source set may depend on it.
 */
package dev.jnydus.testkit;
