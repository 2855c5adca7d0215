package dev.jnydus.fscache.fanotify;

import dev.jnydus.common.FsException;
import dev.jnydus.sys.Threads;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * The daemon's own threads that touch cache files: the fill workers and the cache's prefetch
 * workers. Normally their accesses raise no events, because the cache opened its files before
 * they were marked (spec 6.2). A daemon that took over a live group opened them while marked, so
 * its own reads and writes of cache files do raise events; those events name one of these threads
 * (the group reports thread ids) and are allowed at once: waiting for them would wait on
 * ourselves. No thread registered here may ever read the EROFS mount.
 */
public final class IoThreads {
    private final Set<Integer> tids = ConcurrentHashMap.newKeySet();

    /** A factory whose threads register themselves for their whole life. */
    public ThreadFactory wrap(ThreadFactory factory) {
        return r -> factory.newThread(() -> {
            int tid = registerCurrent();
            try {
                r.run();
            } finally {
                if (tid > 0) {
                    tids.remove(tid);
                }
            }
        });
    }

    /** Registers the calling thread; returns its tid, or -1 when the native binding is unavailable. */
    public int registerCurrent() {
        try {
            int tid = Threads.currentTid();
            tids.add(tid);
            return tid;
        } catch (FsException e) {
            return -1;
        }
    }

    public boolean contains(int tid) {
        return tids.contains(tid);
    }

    int size() {
        return tids.size();
    }
}
