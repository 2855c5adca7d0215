package dev.jnydus.backend.registry;

/** A bearer token and how long it lives. {@link #toString()} never shows the token. */
record Token(String value, long expiresInSeconds) {

    /** Upstream's default when a token response carries no {@code expires_in}. */
    static final long DEFAULT_EXPIRES_IN = 600;

    @Override
    public String toString() {
        return "Token[<redacted>, expires in " + expiresInSeconds + " s]";
    }
}
