package dev.jnydus.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Readers that keep a mount busy and check every byte against the source, for the handover tests:
 * scanners read every file whole, in random order and in reads of random sizes, opening each
 * afresh; holders open one large file once and keep reading it at random offsets, so that files
 * held open across a handover are exercised. Every read call is timed; the longest is the stall a
 * reader saw. Each reader pauses {@link #PACE} between reads: a steady load that leaves the two
 * cores of a test machine to the daemons being replaced, instead of a spin that slows a successor's
 * start for everyone.
 */
final class ReadLoad implements AutoCloseable {
    static final long PACE = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2);
    /** What the readers saw. */
    record Report(long reads, long bytes, long heldReads, List<String> errors, long wrongBytes, Duration longestStall) {
        @Override
        public String toString() {
            return reads + " reads (" + heldReads + " through files held open), " + (bytes >> 20) + " MiB, "
                    + errors.size() + " errors, " + wrongBytes + " wrong bytes, longest read " + longestStall.toMillis()
                    + " ms";
        }
    }

    private final Path mount;
    private final List<String> files;
    private final Map<String, byte[]> expected;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong heldReads = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final AtomicLong longest = new AtomicLong();
    private final AtomicLong longestEver = new AtomicLong();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object progress = new Object();

    private ReadLoad(Path mount, Map<String, byte[]> expected) {
        this.mount = mount;
        this.expected = expected;
        this.files = new ArrayList<>(expected.keySet());
        Collections.sort(files);
    }

    /**
     * Starts {@code scanners} scanning threads and {@code holders} threads reading through a file
     * opened once (the largest files, one each).
     *
     * @param expected relative path → content, for every file to read
     */
    static ReadLoad start(Path mount, Map<String, byte[]> expected, int scanners, int holders, long seed)
            throws IOException {
        ReadLoad load = new ReadLoad(mount, expected);
        List<String> bySize = new ArrayList<>(load.files);
        bySize.sort((a, b) -> Integer.compare(expected.get(b).length, expected.get(a).length));
        List<FileChannel> held = new ArrayList<>();
        for (int i = 0; i < holders; i++) {
            String f = bySize.get(i % bySize.size());
            held.add(FileChannel.open(mount.resolve(f), StandardOpenOption.READ));
            FileChannel ch = held.get(i);
            long s = seed + 1000 + i;
            load.threads.add(new Thread(() -> load.hold(ch, f, new Random(s)), "held-reader-" + i));
        }
        for (int i = 0; i < scanners; i++) {
            long s = seed + i;
            load.threads.add(new Thread(() -> load.scan(new Random(s)), "scanner-" + i));
        }
        load.threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
        return load;
    }

    private void scan(Random random) {
        List<String> order = new ArrayList<>(files);
        while (running.get()) {
            Collections.shuffle(order, random);
            for (String f : order) {
                if (!running.get()) {
                    return;
                }
                byte[] want = expected.get(f);
                try (FileChannel ch = FileChannel.open(mount.resolve(f), StandardOpenOption.READ)) {
                    long pos = 0;
                    while (pos < want.length && running.get()) {
                        int len = 4096 << random.nextInt(7);
                        ByteBuffer buf = ByteBuffer.allocate(len);
                        int n = timedRead(ch, buf, pos);
                        if (n <= 0) {
                            error(f + ": end of file at " + pos + " of " + want.length);
                            break;
                        }
                        check(f, want, pos, buf, n);
                        pos += n;
                    }
                } catch (IOException | RuntimeException e) {
                    error(f + ": " + e);
                }
            }
        }
    }

    private void hold(FileChannel ch, String f, Random random) {
        byte[] want = expected.get(f);
        try (ch) {
            while (running.get()) {
                long pos = want.length == 0 ? 0 : (random.nextInt(want.length) & ~4095L);
                ByteBuffer buf = ByteBuffer.allocate(65536);
                try {
                    int n = timedRead(ch, buf, pos);
                    if (n > 0) {
                        check(f, want, pos, buf, n);
                        heldReads.incrementAndGet();
                    } else if (pos < want.length) {
                        error(f + " (held open): end of file at " + pos);
                    }
                } catch (IOException | RuntimeException e) {
                    error(f + " (held open): " + e);
                }
            }
        } catch (IOException e) {
            error(f + " (held open) close: " + e);
        }
    }

    private int timedRead(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        java.util.concurrent.locks.LockSupport.parkNanos(PACE);
        long t0 = System.nanoTime();
        int n = ch.read(buf, pos);
        long took = System.nanoTime() - t0;
        longest.accumulateAndGet(took, Math::max);
        longestEver.accumulateAndGet(took, Math::max);
        if (n > 0) {
            bytes.addAndGet(n);
        }
        if (reads.incrementAndGet() % 16 == 0) {
            synchronized (progress) {
                progress.notifyAll();
            }
        }
        return n;
    }

    private void check(String f, byte[] want, long pos, ByteBuffer buf, int n) {
        byte[] got = buf.array();
        int bad = 0;
        for (int i = 0; i < n; i++) {
            if (pos + i >= want.length || got[i] != want[(int) pos + i]) {
                bad++;
            }
        }
        if (bad > 0) {
            wrong.addAndGet(bad);
            error(f + ": " + bad + " wrong bytes in " + n + " at " + pos);
        }
    }

    private void error(String what) {
        if (errors.size() < 100) {
            errors.add(what);
        }
    }

    long reads() {
        return reads.get();
    }

    /** Waits until the readers have done {@code more} reads beyond now; fails after {@code timeout}. */
    void awaitReads(long more, Duration timeout) throws InterruptedException {
        long target = reads.get() + more;
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (reads.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the readers made no progress for " + timeout + ": " + snapshot());
                }
                progress.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    Report snapshot() {
        return new Report(reads.get(), bytes.get(), heldReads.get(), List.copyOf(errors), wrong.get(),
                Duration.ofNanos(longestEver.get()));
    }

    /** The longest read since the last reset, and starts counting again. */
    Duration resetLongest() {
        return Duration.ofNanos(longest.getAndSet(0));
    }

    /** Stops the readers and waits for them; returns what they saw. */
    Report stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(60_000);
            if (t.isAlive()) {
                error(t.getName() + " did not stop within 60 s (a read hangs)");
            }
        }
        return snapshot();
    }

    @Override
    public void close() throws InterruptedException {
        if (running.get()) {
            stop();
        }
    }
}
