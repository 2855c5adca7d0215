package dev.jnydus.rafs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.localfs.LocalFsBackend;
import dev.jnydus.builder.check.ImageChecker;
import dev.jnydus.builder.cli.NydusImageCli;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.TreeWalker;
import dev.jnydus.testkit.LegacyV5Bootstrap;
import dev.jnydus.testkit.ManualTicker;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A RAFS v5 image in the shape upstream's builder wrote before 2.0 (no extended blob table, every
 * chunk index 0, lz4 chunks that did not compress stored raw with their flag clear) read through
 * the file system and a blob cache: every byte must be the source's, with validation on and off,
 * with and without the memory cache, from one reader and from many, and again after a restart.
 * {@code nydus-image check} must read the same image the same way.
 */
class LegacyV5ImageTest {
    private static final Context CTX = new Context(1, 0, 0, 1);

    @TempDir
    static Path work;

    private static Path src;
    private static Path bootstrap;
    private static Path blobs;

    @BeforeAll
    static void build() throws Exception {
        src = Files.createDirectories(work.resolve("src"));
        Random r = new Random(7);
        byte[] random = new byte[300_000];
        r.nextBytes(random);
        Files.write(src.resolve("random"), random);
        Files.write(src.resolve("random-copy"), random);
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 500_000; i++) {
            text.append("line ").append(i).append(" of a compressible file\n");
        }
        Files.writeString(src.resolve("text"), text);
        // Half compressible, half not: chunks of one file stored both ways.
        byte[] mixed = new byte[400_000];
        r.nextBytes(mixed);
        Arrays.fill(mixed, 0, 200_000, (byte) 'a');
        Files.write(src.resolve("mixed"), mixed);
        Path dir = Files.createDirectories(src.resolve("dir"));
        for (int i = 0; i < 16; i++) {
            byte[] small = new byte[1000 + i * 4099];
            r.nextBytes(small);
            if (i % 2 == 0) {
                Arrays.fill(small, (byte) i);
            }
            Files.write(dir.resolve("f" + i), small);
        }
        Files.write(dir.resolve("empty"), new byte[0]);

        bootstrap = work.resolve("legacy.boot");
        blobs = Files.createDirectories(work.resolve("blobs"));
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(new String[] {"create", "--fs-version", "5", "--compressor", "lz4_block",
            "--chunk-size", "0x10000", "--bootstrap", bootstrap.toString(), "--blob-dir", blobs.toString(),
            src.toString()}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(rc).as("nydus-image create: %s", err).isZero();
        LegacyV5Bootstrap.Result changed = LegacyV5Bootstrap.rewrite(bootstrap);
        assertThat(changed.blobs()).isEqualTo(1);
        assertThat(changed.rawChunkRecords()).as("chunks stored raw").isPositive();
        assertThat(changed.rawChunkRecords()).as("chunks stored compressed").isLessThan(changed.chunkRecords());
    }

    private static Map<String, byte[]> sourceFiles() throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (var s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                out.put("/" + src.relativize(p), Files.readAllBytes(p));
            }
        }
        return out;
    }

    private record Opened(RafsSuper sb, CacheManager cache, BlobDevice device, RafsFileSystem fs) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            device.close();
            cache.close();
            sb.close();
        }
    }

    private static Opened open(Path cacheDir, boolean validate, long memoryCache) throws IOException {
        RafsSuper sb = RafsSuper.open(bootstrap);
        CacheOptions o = CacheOptions.builder(CacheType.BLOBCACHE).workDir(cacheDir).digestValidate(validate)
                .memoryCacheBytes(memoryCache).build();
        CacheManager cache = CacheFactory.builder(o, LocalFsBackend.ofDir(blobs)).build();
        BlobDevice device = cache.open(new CacheBlobs(sb).blobs());
        RafsFileSystem fs = RafsFileSystem.builder(sb).device(device).ticker(new ManualTicker()).build();
        return new Opened(sb, cache, device, fs);
    }

    /** Every regular file of the image, path to inode number. */
    private static Map<String, Long> files(RafsSuper sb) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        TreeWalker.walk(sb, e -> {
            if (e.inode().isReg()) {
                out.put(new String(e.path(), StandardCharsets.UTF_8), e.inode().ino());
            }
            return true;
        });
        return out;
    }

    private static byte[] readAll(RafsFileSystem fs, long ino, int size, int step) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(size);
        for (long off = 0; off < size; off += step) {
            ByteBuffer dst = ByteBuffer.allocateDirect((int) Math.min(step, size - off));
            fs.read(CTX, ino, 0, off, dst);
            out.put(dst.flip());
        }
        return out.array();
    }

    private static void assertReadsBack(Opened o, int step) throws IOException {
        Map<String, byte[]> want = sourceFiles();
        Map<String, Long> got = files(o.sb());
        assertThat(got.keySet()).isEqualTo(want.keySet());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : want.entrySet()) {
            byte[] data = readAll(o.fs(), got.get(e.getKey()), e.getValue().length, step);
            if (!Arrays.equals(data, e.getValue())) {
                wrong.add(e.getKey());
            }
        }
        assertThat(wrong).as("files with wrong bytes").isEmpty();
    }

    @ParameterizedTest(name = "validate {0}, memory cache {1}")
    @CsvSource({"false, 0", "false, 67108864", "true, 0", "true, 67108864"})
    void everyFileReadsBackByteExact(boolean validate, long memoryCache) throws Exception {
        Path cacheDir = work.resolve("cache-" + validate + "-" + memoryCache);
        try (Opened o = open(cacheDir, validate, memoryCache)) {
            // Reads across chunk boundaries, then whole chunks, then from the cache file or memory.
            assertReadsBack(o, 100_000);
            assertReadsBack(o, 1 << 16);
            assertReadsBack(o, 4096);
        }
        // A restarted daemon over the same cache directory.
        try (Opened o = open(cacheDir, validate, memoryCache)) {
            assertReadsBack(o, 128 << 10);
        }
    }

    @ParameterizedTest(name = "validate {0}")
    @CsvSource({"false", "true"})
    void concurrentReadersGetTheirOwnChunks(boolean validate) throws Exception {
        Map<String, byte[]> want = sourceFiles();
        try (Opened o = open(work.resolve("cache-concurrent-" + validate), validate, 64 << 20)) {
            Map<String, Long> inos = files(o.sb());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int round = 0; round < 4; round++) {
                    for (Map.Entry<String, byte[]> e : want.entrySet()) {
                        results.add(pool.submit(() -> Arrays.equals(readAll(o.fs(), inos.get(e.getKey()),
                                e.getValue().length, 32 << 10), e.getValue()) ? null : e.getKey()));
                    }
                }
                List<String> wrong = new ArrayList<>();
                for (Future<String> f : results) {
                    if (f.get() != null) {
                        wrong.add(f.get());
                    }
                }
                assertThat(wrong).as("files with wrong bytes").isEmpty();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @org.junit.jupiter.api.Test
    void checkReadsTheSameBytes() throws Exception {
        Map<String, byte[]> want = sourceFiles();
        try (RafsSuper sb = RafsSuper.open(bootstrap)) {
            ImageChecker.Report report = ImageChecker.verify(sb, LocalFsBackend.ofDir(blobs));
            assertThat(report.regularFiles()).isEqualTo(want.size());
            for (ImageChecker.FileHash h : report.hashes()) {
                byte[] data = want.get(h.path());
                assertThat(h.md5()).as(h.path()).isEqualTo(md5(data));
            }
        }
    }

    private static String md5(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(data));
    }
}
