package dev.jnydus.daemon.cli;

import java.util.Objects;

/**
 * The parsed command line: syntax and cross-option rules checked, no file read yet.
 *
 * @param subcommand the subcommand as written, or "" when none was given (FUSE at top level)
 */
public record DaemonArgs(GlobalOptions global, Service service, String subcommand) {
    public DaemonArgs {
        Objects.requireNonNull(global, "global");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(subcommand, "subcommand");
    }

    /** Parses {@code argv} (see {@link CliParser}). */
    public static CliParser.Outcome parse(String... argv) throws UsageException, StartupException {
        return CliParser.parse(argv);
    }
}
