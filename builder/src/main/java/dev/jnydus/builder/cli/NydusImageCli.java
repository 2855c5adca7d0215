package dev.jnydus.builder.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code nydus-image}: build, merge and check RAFS images. Exits 0 on success; on failure prints
 * one line, {@code error: <reason>}, on standard error and exits 1 (2 for usage errors).
 */
@Command(name = "nydus-image", mixinStandardHelpOptions = true, version = "nydus-image (jnydus) 0.1.0",
        description = "Build, analyze, inspect or validate RAFS filesystems/Nydus accelerated container images",
        subcommands = {
            CreateCommand.class,
            MergeCommand.class,
            // check: the lead adds CheckCommand (same package) here.
        })
public final class NydusImageCli implements Runnable {
    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required (create, merge)");
    }

    /** Runs the command line and returns the exit code, without exiting. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new NydusImageCli());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            err.println("error: " + msg.replace('\n', ' '));
            err.flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage());
            err.flush();
            return 2;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
