package dev.jnydus.fuse.server;

import dev.jnydus.fuse.api.Context;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Pending signals of a caller, as procfs reports them. */
final class ProcSignals {
    /** SIGKILL (9) as a bit of the SigPnd/ShdPnd masks. */
    private static final long SIGKILL_BIT = 1L << (9 - 1);

    private ProcSignals() {
    }

    /** Whether SIGKILL is pending for the caller's thread or its process; false when unknown. */
    static boolean killPending(Context caller) {
        return caller.pid() > 0 && killPending(Path.of("/proc", Integer.toString(caller.pid()), "status"));
    }

    static boolean killPending(Path status) {
        try (BufferedReader r = Files.newBufferedReader(status, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("SigPnd:") || line.startsWith("ShdPnd:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    if ((mask & SIGKILL_BIT) != 0) {
                        return true;
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Gone already, or in a pid namespace we do not see: let the request finish.
            return false;
        }
        return false;
    }
}
