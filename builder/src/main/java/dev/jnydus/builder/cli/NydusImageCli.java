package dev.jnydus.builder.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code nydus-image}: build, merge and check RAFS images. Exits 0 on success; a failure prints one
 * line, {@code Error: <reason>}, on standard error and exits 1 (2 for usage errors).
 */
@Command(name = "nydus-image", mixinStandardHelpOptions = true, versionProvider = NydusImageCli.Version.class,
        description = "Build and check RAFS images",
        subcommands = {CreateCommand.class, MergeCommand.class, CheckCommand.class})
public final class NydusImageCli {

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; failures print one line {@code Error: ...} and give exit status 1. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new NydusImageCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            line.getErr().println("Error: " + msg.lines().findFirst().orElse(msg));
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("Error: " + ex.getMessage());
            return 2;
        });
        int rc = cl.execute(args);
        if (args.length == 0) {
            cl.usage(err);
            return 2;
        }
        return rc;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = NydusImageCli.class.getPackage().getImplementationVersion();
            return new String[] {"nydus-image (jnydus) " + (v == null ? "dev" : v)};
        }
    }
}
