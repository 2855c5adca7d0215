package dev.jnydus.fuse.transport.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.AttrReply;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.DirPlusSink;
import dev.jnydus.fuse.api.DirSink;
import dev.jnydus.fuse.api.Entry;
import dev.jnydus.fuse.api.FsOptions;
import dev.jnydus.fuse.api.OpenReply;
import dev.jnydus.fuse.api.ReadOnlyFileSystem;
import dev.jnydus.fuse.api.StatFs;
import dev.jnydus.fuse.server.InterruptPolicy;
import dev.jnydus.fuse.server.Server;
import dev.jnydus.sys.Mounts;
import dev.jnydus.testkit.InMemoryFileSystem;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real mount whose filesystem answers some reads later ({@code readAsync}), the way RAFS answers
 * cache misses: those reads wait behind a gate the test opens, on threads of their own, while the
 * one FUSE worker goes on serving. Needs root and /dev/fuse.
 */
@Tag("privileged")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeferredReadMountTest {
    private static final int GATED = 8;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Path mp;
    private InMemoryFileSystem tree;
    private Gated fs;
    private Server server;
    private FuseSession session;
    private FuseWorkers workers;
    private final Semaphore interrupts = new Semaphore(0);

    @BeforeEach
    void requireFuse() {
        Privileged.requireFuse();
    }

    /**
     * Mounts the test tree with one worker. {@code asyncRead} as nydusd asks for it; without it the
     * kernel's readahead READs are synchronous requests, which a signal interrupts.
     */
    private void mount(boolean asyncRead) throws IOException {
        mp = Files.createDirectory(tmp.resolve("mnt"));
        tree = TestTree.build();
        Set<Long> gated = new java.util.HashSet<>();
        for (int i = 0; i < GATED + 2; i++) {
            gated.add(tree.nodeId(String.format("/many/f%05d", i)));
        }
        fs = new Gated(tree, gated, asyncRead ? FsOptions.UPSTREAM_DEFAULTS
                : FsOptions.UPSTREAM_DEFAULTS.without(FsOptions.ASYNC_READ));
        server = Server.builder(fs).interrupts(caller -> {
            interrupts.release();
            return InterruptPolicy.FATAL_SIGNALS.abandon(caller);
        }).build();
        session = FuseSession.mount(MountOptions.builder(mp).build());
        workers = FuseWorkers.start(session, server, 1);
    }

    @AfterEach
    void unmount() throws Exception {
        if (fs == null) {
            return;
        }
        fs.open();
        try {
            if (session != null) {
                session.close();
            }
            if (workers != null) {
                assertThat(workers.awaitTermination(Duration.ofSeconds(10))).as("workers end after unmount").isTrue();
                assertThat(workers.failure()).isNull();
            }
        } finally {
            fs.pool.shutdownNow();
            if (mp != null && DevFuseMountTest.mounted(mp)) {
                Mounts.umount2(mp, Mounts.MNT_DETACH);
            }
        }
        assertThat(DevFuseMountTest.liveWorkerThreads()).as("no worker thread left").isEmpty();
        assertThat(DevFuseMountTest.openFuseAndEventFds()).as("no /dev/fuse or eventfd descriptor left").isEmpty();
    }

    private static byte[] content(int i) {
        return Integer.toString(i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theOneWorkerServesMetadataAndOtherFilesWhileReadsWaitForTheirData() throws Exception {
        mount(true);
        ExecutorService readers = Executors.newFixedThreadPool(GATED);
        try {
            List<Future<byte[]>> blocked = new ArrayList<>();
            for (int i = 0; i < GATED; i++) {
                Path f = mp.resolve(String.format("many/f%05d", i));
                blocked.add(readers.submit(() -> Files.readAllBytes(f)));
            }
            fs.awaitWaiting(GATED);

            String ls = Privileged.run("ls", "-lR", mp.toString());
            assertThat(ls).contains("f04999", "hello", "link -> hello");
            assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);
            assertThat(Files.readAllBytes(mp.resolve("many/f04321"))).isEqualTo(content(4321));
            assertThat(blocked).as("the gated reads still wait").noneMatch(Future::isDone);
            assertThat(server.deferredRequests()).isGreaterThanOrEqualTo(GATED);

            fs.open();
            for (int i = 0; i < GATED; i++) {
                assertThat(blocked.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(content(i));
            }
            assertThat(server.deferredRequests()).isZero();
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void aKilledCallerIsAnsweredEintrAndTheLateDataIsDropped() throws Exception {
        // Without ASYNC_READ the kernel waits for the READ itself and sends INTERRUPT when its
        // caller is killed (with it, a killed reader stops waiting for the page on its own).
        mount(false);
        Path f = mp.resolve(String.format("many/f%05d", GATED));
        Process cat = new ProcessBuilder("cat", f.toString()).redirectErrorStream(true).start();
        try {
            fs.awaitWaiting(1);
            cat.destroyForcibly();
            assertThat(interrupts.tryAcquire(60, TimeUnit.SECONDS)).as("INTERRUPT seen").isTrue();
            assertThat(cat.waitFor(60, TimeUnit.SECONDS)).as("cat exits while its data is still to come").isTrue();
            assertThat(fs.released()).as("the gate is still shut").isFalse();
            assertThat(server.deferredRequests()).isZero();
        } finally {
            cat.destroyForcibly();
        }
        fs.open();
        fs.awaitAnswered(1);
        assertThat(Files.readAllBytes(f)).isEqualTo(content(GATED));
        assertThat(Files.readAllBytes(mp.resolve("hello"))).isEqualTo(TestTree.HELLO);
    }

    @Test
    void aSignalledCallerThatLivesOnGetsItsData() throws Exception {
        mount(false);
        Path f = mp.resolve(String.format("many/f%05d", GATED + 1));
        Process cat = new ProcessBuilder("cat", f.toString()).start();
        try {
            fs.awaitWaiting(1);
            // SIGSTOP wakes the waiting caller, so the kernel sends INTERRUPT; it is not fatal.
            Privileged.run("kill", "-STOP", Long.toString(cat.pid()));
            assertThat(interrupts.tryAcquire(60, TimeUnit.SECONDS)).as("INTERRUPT seen").isTrue();
            Privileged.run("kill", "-CONT", Long.toString(cat.pid()));
            assertThat(cat.isAlive()).isTrue();
            fs.open();
            assertThat(cat.getInputStream().readAllBytes()).isEqualTo(content(GATED + 1));
            assertThat(cat.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(cat.exitValue()).isZero();
        } finally {
            cat.destroyForcibly();
        }
    }

    @Test
    void stoppingTheWorkersHandsAWaitingReadToTheirSuccessorAndItsLateAnswerGoesNowhere() throws Exception {
        mount(true);
        Path f = mp.resolve(String.format("many/f%05d", GATED + 1));
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(f);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        fs.awaitWaiting(1);
        workers.stop();
        assertThat(workers.awaitTermination(Duration.ofSeconds(10))).isTrue();
        // The stopped worker waited for the answer (FuseWorkers.DRAIN_TIMEOUT), then closed its
        // descriptor. Workers read from duplicates of the session's file, so the READ it took
        // stays with that file, unanswered, for a successor. The first answer now comes for a
        // closed descriptor: dropped, never written to a reused number.
        fs.open();
        fs.awaitAnswered(1);
        assertThat(server.deferredRequests()).isZero();
        assertThat(read).isNotDone();
        // The successor asks the kernel for the requests left in flight, as nydusd does when it
        // starts workers again.
        workers = FuseWorkers.start(session, server, 1);
        session.notifyResend();
        assertThat(read.get(60, TimeUnit.SECONDS)).isEqualTo(content(GATED + 1));
    }

    /**
     * The tree, with reads of some nodes answered on a thread of their own once the test opens the
     * gate. Counts the reads that wait and those answered.
     */
    static final class Gated implements ReadOnlyFileSystem {
        private final InMemoryFileSystem tree;
        private final Set<Long> gated;
        private final CompletableFuture<Void> gate = new CompletableFuture<>();
        private final Semaphore waiting = new Semaphore(0);
        private final Semaphore answered = new Semaphore(0);
        final ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gated-read");
            t.setDaemon(true);
            return t;
        });

        private final FsOptions wanted;

        Gated(InMemoryFileSystem tree, Set<Long> gated, FsOptions wanted) {
            this.tree = tree;
            this.gated = gated;
            this.wanted = wanted;
        }

        void open() {
            gate.complete(null);
        }

        boolean released() {
            return gate.isDone();
        }

        void awaitWaiting(int n) throws InterruptedException {
            await(waiting, n, "waiting");
        }

        void awaitAnswered(int n) throws InterruptedException {
            await(answered, n, "answered");
        }

        private static void await(Semaphore events, int n, String what) throws InterruptedException {
            assertThat(events.tryAcquire(n, WAIT.toSeconds(), TimeUnit.SECONDS)).as(n + " reads " + what).isTrue();
        }

        @Override
        public CompletionStage<ByteBuffer> readAsync(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst)
                throws FsException {
            if (!gated.contains(nodeId)) {
                tree.read(ctx, nodeId, fh, offset, dst);
                return null;
            }
            int size = dst.remaining();
            CompletableFuture<ByteBuffer> answer = new CompletableFuture<>();
            pool.execute(() -> {
                waiting.release();
                gate.join();
                try {
                    ByteBuffer own = ByteBuffer.allocateDirect(size);
                    tree.read(ctx, nodeId, fh, offset, own);
                    answer.complete(own.flip());
                } catch (FsException e) {
                    answer.completeExceptionally(e);
                }
                answered.release();
            });
            return answer;
        }

        @Override
        public FsOptions init(FsOptions capable) {
            return wanted;
        }

        @Override
        public Entry lookup(Context ctx, long parent, byte[] name) throws FsException {
            return tree.lookup(ctx, parent, name);
        }

        @Override
        public void forget(Context ctx, long nodeId, long nlookup) {
            tree.forget(ctx, nodeId, nlookup);
        }

        @Override
        public AttrReply getattr(Context ctx, long nodeId, OptionalLong fh) throws FsException {
            return tree.getattr(ctx, nodeId, fh);
        }

        @Override
        public byte[] readlink(Context ctx, long nodeId) throws FsException {
            return tree.readlink(ctx, nodeId);
        }

        @Override
        public OpenReply open(Context ctx, long nodeId, int flags) throws FsException {
            return tree.open(ctx, nodeId, flags);
        }

        @Override
        public void release(Context ctx, long nodeId, long fh, int flags, int releaseFlags, long lockOwner) {
            tree.release(ctx, nodeId, fh, flags, releaseFlags, lockOwner);
        }

        @Override
        public void flush(Context ctx, long nodeId, long fh, long lockOwner) {
            tree.flush(ctx, nodeId, fh, lockOwner);
        }

        @Override
        public void read(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst) throws FsException {
            tree.read(ctx, nodeId, fh, offset, dst);
        }

        @Override
        public OpenReply opendir(Context ctx, long nodeId, int flags) throws FsException {
            return tree.opendir(ctx, nodeId, flags);
        }

        @Override
        public void releasedir(Context ctx, long nodeId, long fh, int flags) {
            tree.releasedir(ctx, nodeId, fh, flags);
        }

        @Override
        public void readdir(Context ctx, long nodeId, long fh, long offset, DirSink sink) throws FsException {
            tree.readdir(ctx, nodeId, fh, offset, sink);
        }

        @Override
        public void readdirplus(Context ctx, long nodeId, long fh, long offset, DirPlusSink sink) throws FsException {
            tree.readdirplus(ctx, nodeId, fh, offset, sink);
        }

        @Override
        public StatFs statfs(Context ctx, long nodeId) {
            return tree.statfs(ctx, nodeId);
        }

        @Override
        public byte[] getxattr(Context ctx, long nodeId, byte[] name) throws FsException {
            return tree.getxattr(ctx, nodeId, name);
        }

        @Override
        public List<byte[]> listxattr(Context ctx, long nodeId) throws FsException {
            return tree.listxattr(ctx, nodeId);
        }

        @Override
        public void access(Context ctx, long nodeId, int mask) throws FsException {
            tree.access(ctx, nodeId, mask);
        }
    }
}
