package dev.jnydus.backend.options;

/** How options print a secret: whether it is set, never its value. */
final class Secrets {
    private Secrets() {
    }

    static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "<none>" : "<redacted>";
    }

    static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    static void requireNonBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }
}
