package dev.jnydus.daemon.cli;

import java.util.Objects;

/**
 * The parsed command line ({@link CliParser#parse}): syntax and cross-option rules checked, no
 * file read yet.
 *
 * @param subcommand the subcommand as written, or "" when none was given (FUSE at top level)
 */
public record DaemonArgs(GlobalOptions global, Service service, String subcommand) {
    public DaemonArgs {
        Objects.requireNonNull(global, "global");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(subcommand, "subcommand");
    }
}
