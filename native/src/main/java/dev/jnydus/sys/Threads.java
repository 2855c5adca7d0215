package dev.jnydus.sys;

import dev.jnydus.common.FsException;

/** Kernel identities of Java threads. */
public final class Threads {
    private Threads() {
    }

    /**
     * The kernel thread id of the calling thread ({@code gettid(2)}): what fanotify reports as the
     * accessing task of a group made with {@link Fanotify#REPORT_TID}.
     */
    public static int currentTid() throws FsException {
        KernelCalls.ensureAvailable();
        return KernelCalls.gettid();
    }
}
