package dev.jnydus.fuse.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.fuse.api.FileSystem;
import dev.jnydus.fuse.transport.FuseChannel;
import dev.jnydus.testkit.ByteBufferFuseChannel;
import dev.jnydus.testkit.FuseRequest;
import dev.jnydus.testkit.InMemoryFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * READs a filesystem answers later ({@link FileSystem#readAsync}): the worker moves on, the answer
 * goes out from the completing thread with the request's unique, exactly once, and an INTERRUPT
 * cuts it short when the policy says so. No /dev/fuse involved.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeferredReplyTest {
    private static final byte[] HELLO = "hello, fuse\n".getBytes(StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Reads of node 2 wait for the test; everything else is the in-memory tree, answered at once. */
    private final ConcurrentHashMap<Long, CompletableFuture<ByteBuffer>> later = new ConcurrentHashMap<>();
    private final List<String> recorded = new CopyOnWriteArrayList<>();
    private final AtomicLong clock = new AtomicLong();
    private InMemoryFileSystem tree;
    private FileSystem fs;

    @BeforeEach
    void setUp() {
        tree = InMemoryFileSystem.builder().file("/slow", HELLO).file("/fast", HELLO).build();
        fs = new Deferring();
    }

    private final class Deferring implements FileSystem {
        @Override
        public dev.jnydus.fuse.api.Entry lookup(Context ctx, long parent, byte[] name) throws FsException {
            return tree.lookup(ctx, parent, name);
        }

        @Override
        public void read(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst) throws FsException {
            tree.read(ctx, nodeId, fh, offset, dst);
        }

        @Override
        public CompletionStage<ByteBuffer> readAsync(Context ctx, long nodeId, long fh, long offset, ByteBuffer dst)
                throws FsException {
            if (nodeId != 2) {
                return FileSystem.super.readAsync(ctx, nodeId, fh, offset, dst);
            }
            CompletableFuture<ByteBuffer> f = new CompletableFuture<>();
            later.put(ctx.unique(), f);
            return f;
        }
    }

    private Server server(InterruptPolicy policy) {
        return Server.builder(fs).interrupts(policy).ticker(() -> clock.addAndGet(1000))
                .metrics((op, node, nanos, errno) -> recorded.add(op + "/" + node + "/" + errno)).build();
    }

    private static byte[] read(long unique, long node, int size) {
        return FuseRequest.of(15, unique, node).u64(0).u64(0).u32(size).u32(0).u64(0).u32(0).u32(0).build();
    }

    private static byte[] interrupt(long unique, long of) {
        return FuseRequest.of(36, unique, 0).u64(of).build();
    }

    private static ByteBuffer data(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    /** out header: len, error, unique; then the payload. */
    private record Reply(int len, int error, long unique, byte[] payload) {
        static Reply of(byte[] b) {
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            Reply r = new Reply(bb.getInt(), bb.getInt(), bb.getLong(), Arrays.copyOfRange(b, 16, b.length));
            assertThat(r.len()).as("out header length").isEqualTo(b.length);
            return r;
        }
    }

    @Test
    void theWorkerServesOthersAndTheAnswerGoesOutLaterWithItsUnique() throws Exception {
        Server server = server(InterruptPolicy.NEVER);
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel(read(10, 2, 4096), read(11, 3, 4096),
                FuseRequest.of(1, 12, 1).name("fast").build());
        server.serve(ch);
        assertThat(ch.replies()).extracting(b -> Reply.of(b).unique()).as("answered while 10 waits")
                .containsExactly(11L, 12L);
        assertThat(server.deferredRequests()).isEqualTo(1);
        assertThat(recorded).containsExactly("READ/3/0", "LOOKUP/1/0");

        // The worker buffer has been rewritten by 11 and 12 since; the answer is the filesystem's own.
        Thread completer = new Thread(() -> later.get(10L).complete(data(HELLO)), "fetcher");
        completer.start();
        completer.join();
        Reply r = Reply.of(ch.awaitReplies(3, WAIT).get(2));
        assertThat(r.unique()).isEqualTo(10);
        assertThat(r.error()).isZero();
        assertThat(r.payload()).isEqualTo(HELLO);
        assertThat(Reply.of(ch.replies().get(0)).payload()).isEqualTo(HELLO);
        assertThat(server.deferredRequests()).isZero();
        assertThat(recorded).containsExactly("READ/3/0", "LOOKUP/1/0", "READ/2/0");
    }

    @Test
    void failuresBecomeTheirErrnoAndBugsEio() throws Exception {
        Server server = server(InterruptPolicy.NEVER);
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel(read(20, 2, 4096), read(21, 2, 4096), read(22, 2, 4),
                read(23, 2, 4096));
        server.serve(ch);
        assertThat(server.deferredRequests()).isEqualTo(4);
        later.get(20L).completeExceptionally(new FsException(Errno.EIO, "backend timed out"));
        later.get(21L).completeExceptionally(new IllegalStateException("bug"));
        later.get(22L).complete(data(HELLO)); // more than the 4 bytes asked
        later.get(23L).completeExceptionally(new FsException(Errno.ENOENT));
        List<Reply> replies = ch.awaitReplies(4, WAIT).stream().map(Reply::of).toList();
        assertThat(replies).extracting(Reply::unique).containsExactly(20L, 21L, 22L, 23L);
        assertThat(replies).extracting(Reply::error).containsExactly(-Errno.EIO.number(), -Errno.EIO.number(),
                -Errno.EIO.number(), -Errno.ENOENT.number());
        assertThat(replies).extracting(Reply::len).containsOnly(16);
        assertThat(recorded).containsExactly("READ/2/5", "READ/2/5", "READ/2/5", "READ/2/2");
    }

    @Test
    void anInterruptAnswersEintrAndTheLateDataIsDropped() throws Exception {
        Server server = server(InterruptPolicy.ALWAYS);
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel(read(30, 2, 4096), interrupt(31, 30));
        server.serve(ch);
        Reply r = Reply.of(ch.onlyReply());
        assertThat(r.unique()).isEqualTo(30);
        assertThat(r.error()).isEqualTo(-Errno.EINTR.number());
        assertThat(server.deferredRequests()).isZero();
        // whenComplete runs on this thread: anything the late answer would send is sent by now.
        later.get(30L).complete(data(HELLO));
        assertThat(ch.replies()).as("one answer per request").hasSize(1);
        assertThat(recorded).containsExactly("READ/2/" + Errno.EINTR.number(), "INTERRUPT/0/0");
    }

    @Test
    void anInterruptReadBeforeItsRequestWasRegisteredStillCounts() throws Exception {
        Server server = server(InterruptPolicy.ALWAYS);
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel(interrupt(41, 40), interrupt(42, 999), read(40, 2, 4096));
        server.serve(ch);
        Reply r = Reply.of(ch.onlyReply());
        assertThat(r.unique()).isEqualTo(40);
        assertThat(r.error()).isEqualTo(-Errno.EINTR.number());
        later.get(40L).complete(data(HELLO));
        assertThat(ch.replies()).hasSize(1);
    }

    @Test
    void anInterruptOfAReadAnsweredAtOnceOrOfACallerLeftToFinishChangesNothing() throws Exception {
        Server server = server(InterruptPolicy.NEVER);
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel(read(50, 3, 4096), interrupt(51, 50), read(52, 2, 4096),
                interrupt(53, 52));
        server.serve(ch);
        assertThat(ch.replies()).extracting(b -> Reply.of(b).unique()).containsExactly(50L);
        later.get(52L).complete(data(HELLO));
        Reply r = Reply.of(ch.awaitReplies(2, WAIT).get(1));
        assertThat(r.unique()).isEqualTo(52);
        assertThat(r.payload()).isEqualTo(HELLO);
    }

    @Test
    void theDefaultPolicyLetsALiveCallerFinish() throws Exception {
        Server server = Server.builder(fs).build();
        int self = (int) ProcessHandle.current().pid();
        ByteBufferFuseChannel ch = new ByteBufferFuseChannel(
                FuseRequest.of(15, 60, 2).caller(0, 0, self).u64(0).u64(0).u32(4096).u32(0).u64(0).u32(0).u32(0)
                        .build(),
                interrupt(61, 60));
        server.serve(ch);
        assertThat(ch.replies()).isEmpty();
        later.get(60L).complete(data(HELLO));
        assertThat(Reply.of(ch.awaitReplies(1, WAIT).get(0)).payload()).isEqualTo(HELLO);
    }

    @Test
    void anAnswerForAChannelThatIsGoneIsDroppedQuietly() throws Exception {
        Server server = server(InterruptPolicy.NEVER);
        ByteBufferFuseChannel requests = new ByteBufferFuseChannel(read(70, 2, 4096));
        FuseChannel closed = new FuseChannel() {
            @Override
            public boolean receive(ByteBuffer dst) throws IOException {
                return requests.receive(dst);
            }

            @Override
            public void send(ByteBuffer... parts) throws IOException {
                throw new FsException(Errno.ENODEV, "closed");
            }
        };
        server.serve(closed);
        later.get(70L).complete(data(HELLO));
        assertThat(server.deferredRequests()).isZero();
        assertThat(recorded).containsExactly("READ/2/0");
    }

    @Test
    void fatalSignalsAreSigkillPendingInProcStatus(@TempDir Path dir) throws IOException {
        Path dying = Files.writeString(dir.resolve("dying"), "Name:\tcat\nSigQ:\t1/63\nSigPnd:\t0000000000000100\n"
                + "ShdPnd:\t0000000000000000\n");
        Path shared = Files.writeString(dir.resolve("shared"), "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000100\n");
        Path handled = Files.writeString(dir.resolve("handled"), "SigPnd:\t0000000000000002\nShdPnd:\t0000000000004000\n");
        assertThat(ProcSignals.killPending(dying)).isTrue();
        assertThat(ProcSignals.killPending(shared)).isTrue();
        assertThat(ProcSignals.killPending(handled)).as("SIGINT and SIGTERM pending, not yet fatal").isFalse();
        assertThat(ProcSignals.killPending(dir.resolve("gone"))).isFalse();
        assertThat(ProcSignals.killPending(new Context(1, 0, 0, (int) ProcessHandle.current().pid()))).isFalse();
        assertThat(ProcSignals.killPending(new Context(1, 0, 0, 0))).as("kernel-internal request").isFalse();
    }
}
