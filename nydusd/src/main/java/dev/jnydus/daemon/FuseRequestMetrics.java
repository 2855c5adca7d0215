package dev.jnydus.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.jnydus.fuse.abi.Opcode;
import dev.jnydus.fuse.server.RequestMetrics;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the FUSE server tells about its requests: the ones in flight, by unique id, from the
 * moment a worker takes them until they are answered (upstream's per-worker {@code FuseOpWrapper},
 * for {@code GET /api/v1/metrics/inflight}; a read waiting for the backend stays listed after its
 * worker moved on) and, per operation, a latency histogram and an error count for the Prometheus
 * view.
 */
public final class FuseRequestMetrics implements RequestMetrics {
    /** Upper bounds of the latency buckets, in seconds (the last bucket is +Inf). */
    static final double[] BUCKETS = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};

    private record InFlight(long inode, int opcode, long unique, long timestampSecs) {
    }

    /** One operation's counters. */
    static final class OpStats {
        final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length + 1);
        final LongAdder count = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder sumNanos = new LongAdder();
    }

    private final Clock clock;
    private final ConcurrentHashMap<Long, InFlight> inflight = new ConcurrentHashMap<>();
    private final Map<Opcode, OpStats> ops = new EnumMap<>(Opcode.class);

    public FuseRequestMetrics(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        for (Opcode op : Opcode.values()) {
            ops.put(op, new OpStats());
        }
    }

    @Override
    public void begin(Opcode op, long nodeId, long unique) {
        inflight.put(unique, new InFlight(nodeId, op.code(), unique, clock.instant().getEpochSecond()));
    }

    /**
     * A request is in flight until answered, whichever thread answers it: a READ waiting for the
     * backend is answered by a fetch thread, not by the worker that took it (which has moved on).
     */
    @Override
    public void end(Opcode op, long nodeId, long unique, long latencyNanos, int errno) {
        inflight.remove(unique);
        record(op, nodeId, latencyNanos, errno);
    }

    @Override
    public void record(Opcode op, long nodeId, long latencyNanos, int errno) {
        OpStats s = ops.get(op);
        double secs = latencyNanos / 1e9;
        int b = 0;
        while (b < BUCKETS.length && secs > BUCKETS[b]) {
            b++;
        }
        s.buckets.incrementAndGet(b);
        s.count.increment();
        s.sumNanos.add(Math.max(0, latencyNanos));
        if (errno != 0) {
            s.errors.increment();
        }
    }

    /** The requests being handled now as upstream's JSON array, or empty when there are none. */
    public Optional<String> inflightJson() {
        if (inflight.isEmpty()) {
            return Optional.empty();
        }
        ArrayNode a = LazyObjectMapper.INSTANCE.createArrayNode();
        for (InFlight f : inflight.values()) {
            a.addObject().put("inode", f.inode()).put("opcode", f.opcode()).put("unique", f.unique())
                    .put("timestamp_secs", f.timestampSecs());
        }
        return a.isEmpty() ? Optional.empty() : Optional.of(a.toString());
    }

    /** Counters of every operation seen at least once. */
    Map<Opcode, OpStats> seen() {
        Map<Opcode, OpStats> out = new EnumMap<>(Opcode.class);
        ops.forEach((op, s) -> {
            if (s.count.sum() > 0) {
                out.put(op, s);
            }
        });
        return out;
    }
}
