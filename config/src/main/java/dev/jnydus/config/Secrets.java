package dev.jnydus.config;

/** How credentials appear in {@code toString()}: whether one is set, never its value. */
final class Secrets {
    static final String MASK = "<redacted>";

    private Secrets() {
    }

    static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "\"\"" : MASK;
    }
}
