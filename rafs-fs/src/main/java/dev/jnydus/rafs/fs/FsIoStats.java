package dev.jnydus.rafs.fs;

import dev.jnydus.common.RequestSizes;
import dev.jnydus.common.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Filesystem statistics of one mounted image, with the fields and buckets of upstream's
 * {@code FsIoStats} (nydus {@code utils/src/metrics.rs}): operation counts and errors, bytes read
 * by request size, read latency, and, when switched on, per-file counters
 * ({@code iostats_files}), access patterns ({@code access_pattern}) and the set of files read
 * since the last query ({@code latest_read_files}). Inode numbers are the image's own.
 *
 * <p>Record an operation with the guard, which counts a failure unless told otherwise:
 * <pre>{@code
 * try (FsIoStats.Recorder op = stats.begin(FsIoStats.Fop.READ, ino)) {
 *     ...;
 *     op.success(bytes);
 * }
 * }</pre>
 * Thread-safe; recording never throws.
 */
public final class FsIoStats {
    /** Upstream's StatsFop, in its order (the index of the arrays of the JSON documents). */
    public enum Fop {
        GETATTR, READLINK, OPEN, RELEASE, READ, STATFS, GETXATTR, LISTXATTR, OPENDIR, LOOKUP, READDIR,
        READDIRPLUS, ACCESS, FORGET, BATCH_FORGET
    }

    public static final int FOPS = Fop.values().length;
    /** Request size buckets: &lt;1K, 1K-4K, 4K-16K, 16K-64K, 64K-128K, 128K-512K, 512K-1M, &ge;1M. */
    public static final int SIZE_BUCKETS = 8;
    /** Read latency buckets in µs: &le;200, &le;1000, &le;20000, &le;50000, &le;500000, &le;1s, &le;2s, &gt;2s. */
    public static final int LATENCY_BUCKETS = 8;

    /** Counters of one file ({@code iostats_files}). */
    public static final class FileStats {
        final AtomicLong totalFops = new AtomicLong();
        final AtomicLong dataRead = new AtomicLong();
        final AtomicLongArray blockCountRead = new AtomicLongArray(SIZE_BUCKETS);
        final AtomicLongArray fopHits = new AtomicLongArray(FOPS);
        final AtomicLongArray fopErrors = new AtomicLongArray(FOPS);

        public long totalFops() {
            return totalFops.get();
        }

        public long dataRead() {
            return dataRead.get();
        }

        public long[] blockCountRead() {
            return copy(blockCountRead);
        }

        public long[] fopHits() {
            return copy(fopHits);
        }

        public long[] fopErrors() {
            return copy(fopErrors);
        }
    }

    /** How one file was read ({@code access_pattern}). */
    public record Pattern(long ino, long nrRead, long firstAccessSecs, int firstAccessNanos) {
    }

    private final String id;
    private final Ticker ticker;
    private final Clock clock;
    private final boolean filesEnabled;
    private final boolean accessPatternEnabled;
    private final boolean latestReadFilesEnabled;
    private final AtomicLong nrOpens = new AtomicLong();
    private final AtomicLong dataRead = new AtomicLong();
    private final AtomicLongArray blockCountRead = new AtomicLongArray(SIZE_BUCKETS);
    private final AtomicLongArray fopHits = new AtomicLongArray(FOPS);
    private final AtomicLongArray fopErrors = new AtomicLongArray(FOPS);
    private final AtomicLongArray fopLatencyTotalMicros = new AtomicLongArray(FOPS);
    private final AtomicLongArray readLatencyDist = new AtomicLongArray(LATENCY_BUCKETS);
    private final ConcurrentHashMap<Long, FileStats> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, PatternCounter> patterns = new ConcurrentHashMap<>();
    private final AtomicReference<ConcurrentSkipListSet<Long>> latestRead =
            new AtomicReference<>(new ConcurrentSkipListSet<>());

    private static final class PatternCounter {
        final AtomicLong nrRead = new AtomicLong();
        final AtomicReference<Instant> first = new AtomicReference<>();
    }

    /**
     * @param id the mountpoint the statistics are registered under
     * @param clock wall time of an access pattern's first access
     */
    public FsIoStats(String id, boolean filesEnabled, boolean accessPatternEnabled, boolean latestReadFilesEnabled,
                     Ticker ticker, Clock clock) {
        this.id = Objects.requireNonNull(id, "id");
        this.filesEnabled = filesEnabled;
        this.accessPatternEnabled = accessPatternEnabled;
        this.latestReadFilesEnabled = latestReadFilesEnabled;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The guard of one operation; {@link #close} records it, as a failure unless {@link #success} was called. */
    public final class Recorder implements AutoCloseable {
        private final Fop fop;
        private final long ino;
        private final long start;
        private boolean success;
        private long bytes;
        private boolean closed;

        private Recorder(Fop fop, long ino, long start) {
            this.fop = fop;
            this.ino = ino;
            this.start = start;
        }

        /** Marks the operation successful; {@code bytes} is what a read delivered (0 otherwise). */
        public void success(long bytes) {
            this.success = true;
            this.bytes = bytes;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                record(fop, ino, success, bytes, ticker.nanos() - start);
            }
        }
    }

    public Recorder begin(Fop fop, long ino) {
        return new Recorder(fop, ino, fop == Fop.READ ? ticker.nanos() : 0);
    }

    private void record(Fop fop, long ino, boolean success, long bytes, long elapsedNanos) {
        int f = fop.ordinal();
        if (fop == Fop.READ) {
            blockCountRead.incrementAndGet(sizeIndex(bytes));
            long micros = Math.max(0, elapsedNanos / 1000);
            readLatencyDist.incrementAndGet(latencyIndex(micros));
            fopLatencyTotalMicros.addAndGet(f, micros);
        }
        if (success) {
            fopHits.incrementAndGet(f);
            switch (fop) {
                case READ -> dataRead.addAndGet(bytes);
                case OPEN -> nrOpens.incrementAndGet();
                case RELEASE -> nrOpens.decrementAndGet();
                default -> {
                }
            }
        } else {
            fopErrors.incrementAndGet(f);
        }
        if (filesEnabled) {
            FileStats s = files.computeIfAbsent(ino, k -> new FileStats());
            if (success) {
                s.fopHits.incrementAndGet(f);
                s.totalFops.incrementAndGet();
            } else {
                s.fopErrors.incrementAndGet(f);
            }
            if (fop == Fop.READ && success) {
                s.dataRead.addAndGet(bytes);
                s.blockCountRead.incrementAndGet(sizeIndex(bytes));
            }
        }
        if (fop == Fop.READ) {
            if (accessPatternEnabled) {
                PatternCounter p = patterns.computeIfAbsent(ino, k -> new PatternCounter());
                p.nrRead.incrementAndGet();
                if (p.first.get() == null) {
                    p.first.compareAndSet(null, clock.instant());
                }
            }
            if (latestReadFilesEnabled && success) {
                latestRead.get().add(ino);
            }
        }
    }

    /** Upstream's request_size_index. */
    static int sizeIndex(long size) {
        return RequestSizes.index(size);
    }

    /** Upstream's latency_micros_range_index. */
    static int latencyIndex(long micros) {
        long[] bounds = {200, 1_000, 20_000, 50_000, 500_000, 1_000_000, 2_000_000};
        for (int i = 0; i < bounds.length; i++) {
            if (micros <= bounds[i]) {
                return i;
            }
        }
        return 7;
    }

    private static long[] copy(AtomicLongArray a) {
        long[] out = new long[a.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i);
        }
        return out;
    }

    public String id() {
        return id;
    }

    public boolean filesEnabled() {
        return filesEnabled;
    }

    public boolean accessPatternEnabled() {
        return accessPatternEnabled;
    }

    public boolean latestReadFilesEnabled() {
        return latestReadFilesEnabled;
    }

    public long nrOpens() {
        return nrOpens.get();
    }

    public long dataRead() {
        return dataRead.get();
    }

    public long[] blockCountRead() {
        return copy(blockCountRead);
    }

    public long[] fopHits() {
        return copy(fopHits);
    }

    public long[] fopErrors() {
        return copy(fopErrors);
    }

    /** Cumulative latency per operation in µs (only the read slot is measured, as upstream). */
    public long[] fopCumulativeLatencyTotal() {
        return copy(fopLatencyTotalMicros);
    }

    public long[] readLatencyDist() {
        return copy(readLatencyDist);
    }

    /** Per-file counters by inode (empty unless {@code iostats_files}). */
    public Map<Long, FileStats> files() {
        return new TreeMap<>(files);
    }

    /** Files read at least once (empty unless {@code access_pattern}), by inode. */
    public List<Pattern> patterns() {
        List<Pattern> out = new ArrayList<>();
        new TreeMap<>(patterns).forEach((ino, p) -> {
            Instant first = p.first.get();
            if (p.nrRead.get() > 0 && first != null) {
                out.add(new Pattern(ino, p.nrRead.get(), first.getEpochSecond(), first.getNano()));
            }
        });
        return out;
    }

    /**
     * The files read since the last call, as inode ranges ({@code [a, b]} inclusive, or {@code [a]});
     * the set starts over (upstream's bitmap_to_array_and_clear).
     */
    public List<long[]> takeLatestReadFiles() {
        ConcurrentSkipListSet<Long> set = latestRead.getAndSet(new ConcurrentSkipListSet<>());
        List<long[]> out = new ArrayList<>();
        long start = -1;
        long prev = -1;
        for (long ino : set) {
            if (start >= 0 && ino == prev + 1) {
                prev = ino;
                continue;
            }
            if (start >= 0) {
                out.add(start == prev ? new long[] {start} : new long[] {start, prev});
            }
            start = ino;
            prev = ino;
        }
        if (start >= 0) {
            out.add(start == prev ? new long[] {start} : new long[] {start, prev});
        }
        return out;
    }
}
