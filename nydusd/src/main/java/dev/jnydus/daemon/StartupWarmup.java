package dev.jnydus.daemon;

import dev.jnydus.config.NydusConfig;
import dev.jnydus.sys.ProcessIds;

/**
 * What every daemon start needs made ready, begun on a thread of its own while {@code main} sets
 * up logging and reads the command line ({@link FuseDaemonLauncher#prepare}): Jackson's mapper for
 * the configuration (a few hundred classes to initialise) and JNA with the libc binding (a native
 * library loaded and its methods registered). The start then finds them ready instead of doing
 * them in turn; on two CPUs this takes them off the path to the mount. Nothing here is visible:
 * a configuration that is built and dropped, a process id read.
 */
final class StartupWarmup {
    private StartupWarmup() {
    }

    /** Starts both on threads of their own: the start needs the configuration first, then JNA. */
    static void start() {
        start("startup-warmup-config", () -> NydusConfig.forLocalfsDir("/").toJson());
        start("startup-warmup-native", ProcessIds::geteuid);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void start(String name, Step step) {
        Thread t = new Thread(() -> {
            try {
                step.run();
            } catch (Exception | LinkageError e) {
                // Only a head start: the daemon does the same work again and reports what fails.
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }
}
