package dev.jnydus.rafs.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Mutated bootstraps either open and walk, or fail with {@link RafsFormatException} naming the
 * problem: never another exception, never a hang, never an out-of-memory. Each case opens the
 * mutated bytes, walks the whole tree, and decodes every symlink, xattr list and extent list.
 */
class BootstrapMutationPropertyTest {
    private static final long CASE_TIMEOUT_SECONDS = 10;
    private static final ExecutorService RUNNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mutation-case");
        t.setDaemon(true);
        return t;
    });

    @AfterContainer
    static void stop() {
        RUNNER.shutdownNow();
    }

    /** One change to the bytes; {@code where} and {@code what} are scaled to the image at hand. */
    record Mutation(int kind, double where, long what, int bits) {
        byte[] apply(byte[] original) {
            byte[] b = original.clone();
            if (b.length == 0) {
                return b;
            }
            int pos = (int) Math.min(b.length - 1, Math.floor(where * b.length));
            switch (kind) {
                case 0 -> { // flip bits
                    for (int i = 0; i < bits; i++) {
                        int p = (int) Math.floorMod(pos + what * (i + 1) * 7919, b.length);
                        b[p] ^= (byte) (1 << ((what >>> i) & 7));
                    }
                }
                case 1 -> { // truncate
                    return java.util.Arrays.copyOf(b, pos);
                }
                case 2 -> { // an absurd u32 at an aligned offset
                    int p = pos & ~3;
                    if (p + 4 <= b.length) {
                        ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(p, (int) absurd());
                    }
                }
                case 3 -> { // an absurd u64 at an aligned offset
                    int p = pos & ~7;
                    if (p + 8 <= b.length) {
                        ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(p, absurd());
                    }
                }
                case 4 -> { // a small u16 (offsets, counts, nids pointing back: cycles)
                    int p = pos & ~1;
                    if (p + 2 <= b.length) {
                        ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(p, (short) (what & 0x7F));
                    }
                }
                default -> { // copy a block of the image over another place
                    int len = Math.min(bits * 16, b.length);
                    int from = (int) Math.floorMod(what, Math.max(1, b.length - len));
                    int to = Math.min(pos, b.length - len);
                    System.arraycopy(original, from, b, Math.max(0, to), len);
                }
            }
            return b;
        }

        private long absurd() {
            return switch ((int) Math.floorMod(what, 8)) {
                case 0 -> 0;
                case 1 -> 0xFFFF_FFFFL;
                case 2 -> -1L;
                case 3 -> Long.MAX_VALUE;
                case 4 -> 1;
                case 5 -> 0x8000_0000L;
                case 6 -> what >>> 3;
                default -> Integer.MAX_VALUE;
            };
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.doubles().between(0, 1),
                Arbitraries.longs(), Arbitraries.integers().between(1, 8)).as(Mutation::new);
    }

    @Provide
    Arbitrary<List<Mutation>> mutationLists() {
        return mutations().list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 3000)
    void upstreamV5(@ForAll("mutationLists") List<Mutation> ms) throws Exception {
        check(Images.V5.bytes(), ms);
    }

    @Property(tries = 2000)
    void erofsInline(@ForAll("mutationLists") List<Mutation> ms) throws Exception {
        check(Images.EROFS_INLINE.bytes(), ms);
    }

    @Property(tries = 2000)
    void erofsChunked(@ForAll("mutationLists") List<Mutation> ms) throws Exception {
        check(Images.EROFS_CHUNKED.bytes(), ms);
    }

    @Property(tries = 1000)
    void erofsPlainMetadataOnly(@ForAll("mutationLists") List<Mutation> ms) throws Exception {
        // Mutate only the first 64 KiB, where the superblock, inodes and directories are.
        byte[] img = Images.EROFS_PLAIN.bytes();
        byte[] head = java.util.Arrays.copyOf(img, Math.min(img.length, 64 << 10));
        byte[] mutated = head;
        for (Mutation m : ms) {
            mutated = m.apply(mutated);
        }
        byte[] full = img.clone();
        System.arraycopy(mutated, 0, full, 0, Math.min(mutated.length, full.length));
        check(mutated.length < head.length ? java.util.Arrays.copyOf(full, mutated.length) : full, List.of());
    }

    private static void check(byte[] original, List<Mutation> ms) throws Exception {
        byte[] b = original;
        for (Mutation m : ms) {
            b = m.apply(b);
        }
        byte[] input = b;
        Future<String> f = RUNNER.submit(() -> {
            try {
                exercise(input);
                return "walked";
            } catch (RafsFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                return "format error";
            }
        });
        try {
            Statistics.collect(f.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("mutated bootstrap hangs the reader: " + ms, e);
        } catch (ExecutionException e) {
            throw new AssertionError("mutated bootstrap raised " + e.getCause() + " for " + ms, e.getCause());
        }
    }

    private static void exercise(byte[] bytes) throws RafsFormatException, IOException {
        try (RafsSuper sb = RafsSuper.fromBytes(bytes)) {
            sb.blobs();
            sb.prefetchInodes();
            TreeWalker.walk(sb, e -> {
                RafsInode inode = e.inode();
                inode.xattrs();
                inode.symlinkTarget();
                inode.blocks();
                List<FileExtent> ext = inode.extents(0, Long.MAX_VALUE);
                for (FileExtent x : ext) {
                    if (x instanceof FileExtent.Inline in) {
                        int n = (int) Math.min(in.length(), 4096);
                        sb.readBootstrap(in.bootstrapOffset(), ByteBuffer.allocate(n));
                    }
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new RafsFormatException("interrupted");
                }
                return true;
            });
        }
    }

    /** The images mutated: the upstream v5 fixture and small mkfs.erofs images built once. */
    enum Images {
        V5, EROFS_INLINE, EROFS_CHUNKED, EROFS_PLAIN;

        private byte[] bytes;

        synchronized byte[] bytes() throws Exception {
            if (bytes == null) {
                bytes = load();
            }
            return bytes;
        }

        private byte[] load() throws Exception {
            if (this == V5) {
                return Files.readAllBytes(Fixtures.dir(Fixtures.V5_SHA256_NOCOMPRESS).resolve("bootstrap"));
            }
            Privileged.requireTool("mkfs.erofs");
            Path dir = Files.createTempDirectory("jnydus-mut");
            try {
                Path src = Files.createDirectories(dir.resolve("src"));
                SmallTree.write(src);
                Path img = dir.resolve("img");
                switch (this) {
                    case EROFS_INLINE -> Privileged.run("mkfs.erofs", "--quiet", "-x1", img.toString(), src.toString());
                    case EROFS_PLAIN -> Privileged.run("mkfs.erofs", "--quiet", "-Enoinline_data", img.toString(), src.toString());
                    default -> Privileged.run("mkfs.erofs", "--quiet", "--chunksize=4096", "--blobdev=" + dir.resolve("blob"),
                            img.toString(), src.toString());
                }
                return Files.readAllBytes(img);
            } finally {
                try (var s = Files.walk(dir)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
