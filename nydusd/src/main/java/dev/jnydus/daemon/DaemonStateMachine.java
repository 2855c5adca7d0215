package dev.jnydus.daemon;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon lifecycle (spec 4.1) as one table of (state, event) → (next state, action), the
 * only way the daemon's state changes. Every event (API calls, signals, the loss of the mount)
 * is processed on the machine's own thread, one at a time, and {@link #fire} returns after the
 * action completed, as upstream's {@code DaemonStateMachineContext} does.
 *
 * <p>Unlike upstream, a failed action leaves the state where it was (upstream's internal machine
 * has already moved while the reported state stays old, so the next event is judged against a
 * state nobody can see).
 *
 * <pre>
 * INIT    Mount    → READY
 * INIT    Takeover → READY    restore
 * INIT    Stop     → STOPPED
 * READY   Start    → RUNNING  start service
 * READY   Stop     → STOPPED  umount
 * READY   Exit     → STOPPED  (the kernel session is left to a successor)
 * RUNNING Stop     → READY    terminate service
 * </pre>
 */
public final class DaemonStateMachine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonStateMachine.class);

    /** What a transition does before the state changes. */
    public enum Action {
        NONE,
        RESTORE,
        START_SERVICE,
        TERMINATE_SERVICE,
        UMOUNT,
        STOP_STATE_MACHINE
    }

    /** Target state and action of one (state, event) pair. */
    public record Transition(DaemonState next, Action action) {
        public Transition {
            Objects.requireNonNull(next, "next");
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * The service the machine drives. Each method runs on the machine's thread; throwing fails the
     * event and keeps the state.
     */
    public interface Actions {
        /** Takeover: restore the state a predecessor saved. */
        void restore() throws Exception;

        /** Start: start the workers that serve the kernel. */
        void startService() throws Exception;

        /** Stop while RUNNING: stop the workers, leaving the kernel session in place. */
        void terminateService() throws Exception;

        /** Stop while READY: end the kernel session (unmount, stop fscache). */
        void umount() throws Exception;
    }

    private static final Map<DaemonState, Map<DaemonEvent, Transition>> TABLE = table();

    private final Actions actions;
    private final ExecutorService thread;
    private final List<Consumer<DaemonState>> listeners = new CopyOnWriteArrayList<>();
    private volatile Thread machineThread;
    private volatile DaemonState state = DaemonState.INIT;

    public DaemonStateMachine(Actions actions) {
        this.actions = Objects.requireNonNull(actions, "actions");
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "state-machine");
            t.setDaemon(true);
            machineThread = t;
            return t;
        });
    }

    private static Map<DaemonState, Map<DaemonEvent, Transition>> table() {
        Map<DaemonState, Map<DaemonEvent, Transition>> t = new EnumMap<>(DaemonState.class);
        for (DaemonState s : DaemonState.values()) {
            t.put(s, new EnumMap<>(DaemonEvent.class));
        }
        t.get(DaemonState.INIT).put(DaemonEvent.MOUNT, new Transition(DaemonState.READY, Action.NONE));
        t.get(DaemonState.INIT).put(DaemonEvent.TAKEOVER, new Transition(DaemonState.READY, Action.RESTORE));
        t.get(DaemonState.INIT).put(DaemonEvent.STOP,
                new Transition(DaemonState.STOPPED, Action.STOP_STATE_MACHINE));
        t.get(DaemonState.READY).put(DaemonEvent.START,
                new Transition(DaemonState.RUNNING, Action.START_SERVICE));
        t.get(DaemonState.READY).put(DaemonEvent.STOP, new Transition(DaemonState.STOPPED, Action.UMOUNT));
        t.get(DaemonState.READY).put(DaemonEvent.EXIT,
                new Transition(DaemonState.STOPPED, Action.STOP_STATE_MACHINE));
        t.get(DaemonState.RUNNING).put(DaemonEvent.STOP,
                new Transition(DaemonState.READY, Action.TERMINATE_SERVICE));
        for (DaemonState s : DaemonState.values()) {
            t.put(s, Collections.unmodifiableMap(t.get(s)));
        }
        return Collections.unmodifiableMap(t);
    }

    /** The transition for {@code event} in {@code state}, empty when the event is unexpected there. */
    public static Optional<Transition> transition(DaemonState state, DaemonEvent event) {
        return Optional.ofNullable(TABLE.get(state).get(event));
    }

    public DaemonState state() {
        return state;
    }

    /** Called (on the machine's thread) after every state change, with the new state. */
    public void onChange(Consumer<DaemonState> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Processes {@code event} and waits for its action.
     *
     * @throws DaemonException UNEXPECTED_EVENT when the current state has no transition for it,
     *     or the action's failure (the state is then unchanged)
     */
    public void fire(DaemonEvent event) throws DaemonException, InterruptedException {
        Objects.requireNonNull(event, "event");
        if (Thread.currentThread() == machineThread) {
            consume(event);
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    consume(event);
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new DaemonException(DaemonException.Kind.UNEXPECTED_EVENT, "the state machine has ended ("
                    + event.label() + " in " + state + ")");
        }
        try {
            done.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof DaemonException de) {
                throw new DaemonException(de.kind(), de.getMessage(), de);
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }

    private void consume(DaemonEvent event) throws DaemonException {
        DaemonState from = state;
        Transition t = TABLE.get(from).get(event);
        if (t == null) {
            LOG.error("unexpected event {} in state {}", event.label(), from);
            throw new DaemonException(DaemonException.Kind.UNEXPECTED_EVENT,
                    "unexpected state machine transition event " + event.label() + " in state " + from);
        }
        LOG.info("state machine: from {} to {}, input [{}], output [{}]", from, t.next(), event.label(), t.action());
        try {
            switch (t.action()) {
                case RESTORE -> actions.restore();
                case START_SERVICE -> actions.startService();
                case TERMINATE_SERVICE -> actions.terminateService();
                case UMOUNT -> actions.umount();
                case NONE, STOP_STATE_MACHINE -> {
                }
                default -> throw new IllegalStateException("no such action " + t.action());
            }
        } catch (DaemonException e) {
            LOG.error("{} failed in {}, state stays {}: {}", t.action(), from, from, e.getMessage());
            throw e;
        } catch (Exception e) {
            LOG.error("{} failed in {}, state stays {}: {}", t.action(), from, from, e.toString());
            throw DaemonException.other(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        state = t.next();
        for (Consumer<DaemonState> l : listeners) {
            try {
                l.accept(t.next());
            } catch (RuntimeException e) {
                LOG.warn("state listener failed", e);
            }
        }
    }

    /**
     * Stops the daemon whatever its state, as a signal does (spec 4.3): RUNNING → Stop, Stop;
     * READY → Stop; INIT → Stop; STOPPED → nothing.
     */
    public void stop() throws DaemonException, InterruptedException {
        if (state == DaemonState.STOPPED) {
            return;
        }
        if (state == DaemonState.RUNNING) {
            fire(DaemonEvent.STOP);
        }
        fire(DaemonEvent.STOP);
    }

    /**
     * Stops the daemon leaving the kernel session to a successor ({@code PUT /api/v1/daemon/exit}):
     * INIT → Stop; RUNNING → Stop, Exit; READY → Exit.
     */
    public void exit() throws DaemonException, InterruptedException {
        DaemonState s = state;
        if (s == DaemonState.STOPPED) {
            return;
        }
        if (s == DaemonState.INIT) {
            fire(DaemonEvent.STOP);
            return;
        }
        if (s == DaemonState.RUNNING) {
            fire(DaemonEvent.STOP);
        }
        fire(DaemonEvent.EXIT);
    }

    /** Ends the machine's thread; events fired afterwards fail as unexpected. */
    @Override
    public void close() {
        thread.shutdown();
    }
}
