package dev.jnydus.daemon.cli;

/**
 * Starts and runs the daemon a {@link StartupPlan} describes; implemented by the daemon package
 * and found by {@link Main} through {@link java.util.ServiceLoader}.
 *
 * <p>Contract: set RLIMIT_NOFILE (see {@link RlimitPolicy}), create the service, mount the
 * startup filesystem unless upgrading or taking over, start the API server, then block until
 * shutdown. Returning normally means exit status 0; throwing means the startup failed, and
 * {@link NydusdCli} prints {@code Error: <message>} and exits 1.
 */
@FunctionalInterface
public interface DaemonLauncher {
    void launch(StartupPlan plan) throws Exception;

    /**
     * As {@link #launch(StartupPlan)}, in the process's {@link LaunchContext}: a launcher must check
     * the stop requests between start-up steps and, once one is made, undo what it did (unmount)
     * and return. The default ignores the context.
     */
    default void launch(StartupPlan plan, LaunchContext context) throws Exception {
        launch(plan);
    }

    /**
     * Called by {@link Main} before the command line is read, for a command line that may start a
     * daemon: a launcher may begin, on threads of its own, work that {@link #launch} will need
     * whatever the options say (loading and initialising classes), so that it overlaps with
     * setting up logging and reading the command line. Must return at once and have no effect
     * anyone could see. The default does nothing.
     */
    default void prepare() {
    }
}
