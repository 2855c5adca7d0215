package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.testkit.Privileged;
import dev.jnydus.testkit.TestTrees;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A crash of the blob cache, simulated through real mounts, with an image whose chunks carry no
 * CRC32 (as before upstream 2.3) and validation off: a daemon's cache directory is copied
 * while it writes (the data files before it wrote any chunk, the chunk maps after it marked every
 * chunk ready: what a copy racing the writer can capture at worst), then a second daemon mounts
 * the image over the copy with validation off. The copy's ready bits cover bytes it does not
 * have; the second daemon must still show every file byte-exact.
 */
@Tag("privileged")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NydusdCacheCrashCopyTest {
    private static Path work;
    private static Path src;
    private static Path boot;
    private static Path blobs;

    private NydusdProcess writer;
    private NydusdProcess reader;

    @BeforeAll
    static void buildImage() throws Exception {
        Privileged.requireFuse();
        Privileged.requireTool("diff");
        work = Files.createTempDirectory("nydusd-crash-copy-rel-cache");
        src = TestTrees.generate(work.resolve("src"), TestTrees.Options.defaults().withMaxFileSize(2L * TestTrees.MIB)
                .withRandomFiles(12).withBigDirEntries(100));
        boot = work.resolve("image.boot");
        blobs = work.resolve("blobs");
        LocalImage.build(src, boot, blobs, "--fs-version", "6", "--compressor", "zstd");
        assertThat(withoutCrc32(boot)).as("chunk records").isPositive();
    }

    /**
     * Clears the CRC32 of every chunk-table record, as images built before upstream 2.3 have it:
     * with validation off, nothing then checks a cached chunk but the cache's own rules.
     */
    private static int withoutCrc32(Path bootstrap) throws Exception {
        byte[] b = Files.readAllBytes(bootstrap);
        ByteBuffer m = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long table = m.getLong(1152 + 24);
        long size = m.getLong(1152 + 32);
        int n = 0;
        for (long at = table; at < table + size; at += 80) {
            m.putInt((int) at + 36, m.getInt((int) at + 36) & ~0x10);
            m.putInt((int) at + 76, 0);
            n++;
        }
        Files.write(bootstrap, b);
        return n;
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (work != null) {
            Privileged.run("rm", "-rf", work.toString());
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (NydusdProcess p : new NydusdProcess[] {writer, reader}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private static NydusdProcess mount(String name, Path cache) throws Exception {
        Path cfg = LocalImage.blobcacheConfig(work.resolve(name + ".json"), blobs, cache, false);
        Path mp = Files.createDirectories(work.resolve(name + "-mnt"));
        return NydusdProcess.mount(work.resolve(name + ".log"), mp, Map.of(), List.of("--mountpoint", mp.toString(),
                "--config", cfg.toString(), "--bootstrap", boot.toString()));
    }

    private static int copy(Path from, Path to, String nameContains) throws Exception {
        int n = 0;
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.filter(p -> p.getFileName().toString().contains(nameContains)).toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                n++;
            }
        }
        return n;
    }

    @Test
    void copiedCacheOfARunningWriterReadsBackByteExact() throws Exception {
        Path live = work.resolve("live-cache");
        Path copied = Files.createDirectories(work.resolve("copied-cache"));
        writer = mount("writer", live);
        assertThat(copy(live, copied, ".blob.data")).as("files copied before any chunk is written").isPositive();
        TreeCompare.assertSameTree(src, work.resolve("writer-mnt"), true);
        // Every chunk is now cached and marked ready; the writer is still running.
        assertThat(copy(live, copied, ".chunk_map")).isPositive();
        copy(live, copied, ".blob.unsynced");
        copy(live, copied, ".blob.meta");

        reader = mount("reader", copied);
        TreeCompare.assertSameTree(src, work.resolve("reader-mnt"), true);
        assertThat(reader.log()).contains("stopped without syncing");
        reader.stop();
        reader = null;
        writer.stop();
        writer = null;
        try (Stream<Path> s = Files.list(live)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".blob.unsynced")))
                    .as("markers left by a daemon that stopped cleanly").isEmpty();
        }
    }
}
