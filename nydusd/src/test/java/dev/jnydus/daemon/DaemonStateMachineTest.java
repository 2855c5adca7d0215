package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DaemonStateMachineTest {
    /** Records the actions it is asked for; fails the ones named in {@code failing}. */
    static final class RecordingActions implements DaemonStateMachine.Actions {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final List<String> failing = new ArrayList<>();
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());

        private void call(String name) throws Exception {
            calls.add(name);
            threads.add(Thread.currentThread().getName());
            if (failing.contains(name)) {
                throw new java.io.IOException(name + " failed");
            }
        }

        @Override
        public void restore() throws Exception {
            call("restore");
        }

        @Override
        public void startService() throws Exception {
            call("start");
        }

        @Override
        public void terminateService() throws Exception {
            call("terminate");
        }

        @Override
        public void umount() throws Exception {
            call("umount");
        }
    }

    private final RecordingActions actions = new RecordingActions();
    private final DaemonStateMachine machine = new DaemonStateMachine(actions);

    @AfterEach
    void close() {
        machine.close();
    }

    @Test
    void theTableIsUpstreamsAndNothingElse() {
        int transitions = 0;
        for (DaemonState s : DaemonState.values()) {
            for (DaemonEvent e : DaemonEvent.values()) {
                if (DaemonStateMachine.transition(s, e).isPresent()) {
                    transitions++;
                }
            }
        }
        assertThat(transitions).isEqualTo(7);
        assertThat(DaemonStateMachine.transition(DaemonState.INIT, DaemonEvent.TAKEOVER)).contains(
                new DaemonStateMachine.Transition(DaemonState.READY, DaemonStateMachine.Action.RESTORE));
        assertThat(DaemonStateMachine.transition(DaemonState.READY, DaemonEvent.EXIT)).contains(
                new DaemonStateMachine.Transition(DaemonState.STOPPED, DaemonStateMachine.Action.STOP_STATE_MACHINE));
        assertThat(DaemonStateMachine.transition(DaemonState.RUNNING, DaemonEvent.START)).isEmpty();
        assertThat(DaemonStateMachine.transition(DaemonState.STOPPED, DaemonEvent.STOP)).isEmpty();
    }

    @Test
    void mountStartStopStopRunsTheActionsOnTheMachinesThread() throws Exception {
        assertThat(machine.state()).isEqualTo(DaemonState.INIT);
        List<DaemonState> seen = Collections.synchronizedList(new ArrayList<>());
        machine.onChange(seen::add);
        machine.fire(DaemonEvent.MOUNT);
        machine.fire(DaemonEvent.START);
        assertThat(machine.state()).isEqualTo(DaemonState.RUNNING);
        machine.stop();
        assertThat(machine.state()).isEqualTo(DaemonState.STOPPED);
        assertThat(actions.calls).containsExactly("start", "terminate", "umount");
        assertThat(actions.threads).containsOnly("state-machine");
        assertThat(seen).containsExactly(DaemonState.READY, DaemonState.RUNNING, DaemonState.READY,
                DaemonState.STOPPED);
        machine.stop();
        assertThat(actions.calls).hasSize(3);
    }

    @Test
    void anUnexpectedEventFailsAndChangesNothing() throws Exception {
        assertThatThrownBy(() -> machine.fire(DaemonEvent.START)).isInstanceOfSatisfying(DaemonException.class,
                e -> {
                    assertThat(e.kind()).isEqualTo(DaemonException.Kind.UNEXPECTED_EVENT);
                    assertThat(e.getMessage()).contains("Start").contains("INIT");
                });
        assertThat(machine.state()).isEqualTo(DaemonState.INIT);
        machine.fire(DaemonEvent.MOUNT);
        assertThatThrownBy(() -> machine.fire(DaemonEvent.TAKEOVER)).isInstanceOf(DaemonException.class);
        assertThat(machine.state()).isEqualTo(DaemonState.READY);
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void aFailedActionRollsBack() throws Exception {
        actions.failing.add("restore");
        assertThatThrownBy(() -> machine.fire(DaemonEvent.TAKEOVER)).isInstanceOfSatisfying(DaemonException.class,
                e -> assertThat(e.getMessage()).contains("restore failed"));
        assertThat(machine.state()).isEqualTo(DaemonState.INIT);
        machine.fire(DaemonEvent.MOUNT);
        actions.failing.add("start");
        assertThatThrownBy(() -> machine.fire(DaemonEvent.START)).isInstanceOf(DaemonException.class);
        assertThat(machine.state()).isEqualTo(DaemonState.READY);
        actions.failing.clear();
        machine.fire(DaemonEvent.START);
        assertThat(machine.state()).isEqualTo(DaemonState.RUNNING);
    }

    @Test
    void exitLeavesTheSessionAndStopFromInitMountsNothing() throws Exception {
        machine.fire(DaemonEvent.MOUNT);
        machine.fire(DaemonEvent.START);
        machine.exit();
        assertThat(machine.state()).isEqualTo(DaemonState.STOPPED);
        assertThat(actions.calls).containsExactly("start", "terminate");

        try (DaemonStateMachine fresh = new DaemonStateMachine(actions)) {
            fresh.stop();
            assertThat(fresh.state()).isEqualTo(DaemonState.STOPPED);
        }
        assertThat(actions.calls).containsExactly("start", "terminate");
    }
}
