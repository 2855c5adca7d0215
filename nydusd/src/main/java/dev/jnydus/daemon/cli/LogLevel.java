package dev.jnydus.daemon.cli;

import java.util.Locale;

/** {@code --log-level} values, in upstream's spelling. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
