package dev.jnydus.rafs.metadata;

import dev.jnydus.testkit.ByteMutation;
import dev.jnydus.testkit.Fixtures;
import dev.jnydus.testkit.ParseOrReject;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitrary;
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
    private static final ParseOrReject PARSER = new ParseOrReject(RafsFormatException.class, Duration.ofSeconds(10));

    @AfterContainer
    static void stop() {
        PARSER.close();
    }

    @Provide
    Arbitrary<List<ByteMutation>> mutationLists() {
        return ByteMutation.lists();
    }

    @Property(tries = 3000)
    void upstreamV5(@ForAll("mutationLists") List<ByteMutation> ms) throws Exception {
        check(ByteMutation.applyAll(Images.V5.bytes(), ms), ms);
    }

    @Property(tries = 2000)
    void erofsInline(@ForAll("mutationLists") List<ByteMutation> ms) throws Exception {
        check(ByteMutation.applyAll(Images.EROFS_INLINE.bytes(), ms), ms);
    }

    @Property(tries = 2000)
    void erofsChunked(@ForAll("mutationLists") List<ByteMutation> ms) throws Exception {
        check(ByteMutation.applyAll(Images.EROFS_CHUNKED.bytes(), ms), ms);
    }

    @Property(tries = 1000)
    void erofsPlainMetadataOnly(@ForAll("mutationLists") List<ByteMutation> ms) throws Exception {
        // Mutate only the first 64 KiB, where the superblock, inodes and directories are.
        byte[] img = Images.EROFS_PLAIN.bytes();
        byte[] head = java.util.Arrays.copyOf(img, Math.min(img.length, 64 << 10));
        byte[] mutated = ByteMutation.applyAll(head, ms);
        byte[] full = img.clone();
        System.arraycopy(mutated, 0, full, 0, Math.min(mutated.length, full.length));
        check(mutated.length < head.length ? java.util.Arrays.copyOf(full, mutated.length) : full, ms);
    }

    private static void check(byte[] input, List<ByteMutation> ms) {
        Statistics.collect(PARSER.check(() -> exercise(input), ms));
    }

    private static void exercise(byte[] bytes) throws IOException {
        try (RafsSuper sb = RafsSuper.fromBytes(bytes)) {
            ImageValidator.validate(sb);
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
