package dev.jnydus.config;

/**
 * A configuration document could not be read, parsed or validated.
 *
 * <p>The message starts with the same phrase upstream uses for the failure class ("failed to parse
 * configuration information", "invalid configuration", ...) and then names the key path that is
 * at fault, e.g. {@code failed to parse configuration information: device.backend.config.host:
 * expected string, got number}. {@link #keyPath()} and {@link #detail()} give the two parts
 * separately; the API layer maps every instance to HTTP 400 / EINVAL.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, in the words upstream uses for each class of failure. */
    public enum Kind {
        /** The document is not JSON/TOML, or a key has the wrong type or is missing. */
        PARSE("failed to parse configuration information"),
        /** The document parsed but breaks a rule (unknown backend type, thread count, ...). */
        INVALID("invalid configuration"),
        /** The file could not be read, or is too large. */
        IO("failed to read configuration file");

        private final String phrase;

        Kind(String phrase) {
            this.phrase = phrase;
        }

        public String phrase() {
            return phrase;
        }
    }

    private final Kind kind;
    private final String keyPath;
    private final String detail;

    private ConfigException(Kind kind, String keyPath, String detail, Throwable cause) {
        super(format(kind, keyPath, detail), cause);
        this.kind = kind;
        this.keyPath = keyPath;
        this.detail = detail;
    }

    static ConfigException parse(String keyPath, String detail) {
        return new ConfigException(Kind.PARSE, keyPath, detail, null);
    }

    static ConfigException parse(String detail, Throwable cause) {
        return new ConfigException(Kind.PARSE, "", detail, cause);
    }

    static ConfigException invalid(String keyPath, String detail) {
        return new ConfigException(Kind.INVALID, keyPath, detail, null);
    }

    static ConfigException io(String detail, Throwable cause) {
        return new ConfigException(Kind.IO, "", detail, cause);
    }

    /** The same failure reported under another key path (v1 documents are validated as v2). */
    ConfigException withKeyPath(String newPath) {
        ConfigException e = new ConfigException(kind, newPath, detail, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    private static String format(Kind kind, String keyPath, String detail) {
        if (keyPath == null || keyPath.isEmpty()) {
            return kind.phrase + ": " + detail;
        }
        return kind.phrase + ": " + keyPath + ": " + detail;
    }

    public Kind kind() {
        return kind;
    }

    /** Dotted path of the offending key ({@code backend.registry.host}), or "" for the document. */
    public String keyPath() {
        return keyPath == null ? "" : keyPath;
    }

    /** The failure without the kind phrase and key path. */
    public String detail() {
        return detail;
    }
}
