package dev.jnydus.fscache.fanotify;

import dev.jnydus.sys.Fanotify;

/**
 * One event read from a fanotify group.
 *
 * @param mask what happened ({@link Fanotify#PRE_ACCESS}, {@link Fanotify#Q_OVERFLOW})
 * @param fd a descriptor of the marked file, opened for the daemon (it must be answered, then
 *     closed); {@link #NO_FD} on the overflow event
 * @param pid the accessing task: a thread id when the group reports tids
 * @param offset start of the byte range about to be read, when {@code hasRange}
 * @param count length of that range
 * @param hasRange whether the event carried a range record
 */
record FanotifyEvent(long mask, int fd, int pid, long offset, long count, boolean hasRange) {
    static final int NO_FD = -1;

    boolean isOverflow() {
        return fd == NO_FD || (mask & Fanotify.Q_OVERFLOW) != 0;
    }

    /** A pre-access event that says which bytes it is about. */
    boolean isBoundedPreAccess() {
        return (mask & Fanotify.PRE_ACCESS) != 0 && hasRange && count > 0 && offset >= 0;
    }
}
