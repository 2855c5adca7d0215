package dev.jnydus.rafs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.localfs.LocalFsBackend;
import dev.jnydus.builder.cli.NydusImageCli;
import dev.jnydus.cache.device.BlobDevice;
import dev.jnydus.cache.device.CacheFactory;
import dev.jnydus.cache.device.CacheManager;
import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import dev.jnydus.fuse.api.Context;
import dev.jnydus.rafs.metadata.ChunkRef;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.testkit.ManualTicker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A RAFS v6 image whose chunk table has one record out of range, in each of the ways the reader
 * passes on (the record is still found by the file's chunk index): reading the file it belongs to
 * gives EIO, every time, from many readers at once, and never an unchecked exception or a hang;
 * the intact file beside it reads right throughout.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CorruptChunkRecordTest {
    private static final Context CTX = new Context(1, 0, 0, 1);
    private static final int CHUNK_TABLE_FIELDS = 1152;

    @TempDir
    static Path work;

    private static Path blobs;
    private static byte[] bootstrap;
    private static byte[] fileA;
    private static byte[] fileB;

    /** How the broken record differs from the good one (offsets within the 80-byte record). */
    enum Corruption {
        INDEX_PAST_CHUNK_COUNT(r -> r.putInt(72, r.getInt(72) | 0x0100_0000)),
        NEGATIVE_INDEX(r -> r.putInt(72, r.getInt(72) | 0x8000_0000)),
        UNCOMPRESSED_OFFSET_PAST_BLOB(r -> r.putLong(56, r.getLong(56) | (1L << 62))),
        NEGATIVE_UNCOMPRESSED_OFFSET(r -> r.putLong(56, r.getLong(56) | Long.MIN_VALUE)),
        COMPRESSED_OFFSET_PAST_BLOB(r -> r.putLong(48, r.getLong(48) + (1L << 40))),
        HUGE_COMPRESSED_SIZE(r -> r.putInt(40, 0x7ff0_0000)),
        ZERO_COMPRESSED_SIZE(r -> r.putInt(40, 0)),
        RAW_SIZE_MISMATCH(r -> r.putInt(36, r.getInt(36) & ~1).putInt(40, r.getInt(44) - 1));

        final Consumer<ByteBuffer> change;

        Corruption(Consumer<ByteBuffer> change) {
            this.change = change;
        }
    }

    @BeforeAll
    static void build() throws Exception {
        Path src = Files.createDirectories(work.resolve("src"));
        Random r = new Random(3);
        fileA = new byte[150_000];
        fileB = new byte[150_000];
        r.nextBytes(fileA);
        for (int i = 0; i < fileB.length; i++) {
            fileB[i] = (byte) ("intact file " + i / 40).charAt(i % 12);
        }
        Files.write(src.resolve("a"), fileA);
        Files.write(src.resolve("b"), fileB);
        Path boot = work.resolve("image.boot");
        blobs = Files.createDirectories(work.resolve("blobs"));
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(new String[] {"create", "--fs-version", "6", "--compressor", "zstd",
            "--chunk-size", "0x10000", "--bootstrap", boot.toString(), "--blob-dir", blobs.toString(), src.toString()},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(rc).as("nydus-image create: %s", err).isZero();
        bootstrap = Files.readAllBytes(boot);
    }

    /** The bootstrap with the chunk-table record of the first chunk of /a changed. */
    private static byte[] corrupt(Corruption how) throws Exception {
        byte[] out = bootstrap.clone();
        ChunkRef first;
        try (RafsSuper sb = RafsSuper.fromBytes(bootstrap)) {
            RafsInode a = sb.lookup(sb.inode(sb.rootIno()), "a".getBytes(StandardCharsets.UTF_8));
            first = ((FileExtent.Chunk) a.extents(0, 1).get(0)).chunk();
        }
        ByteBuffer m = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        long table = m.getLong(CHUNK_TABLE_FIELDS + 24);
        long size = m.getLong(CHUNK_TABLE_FIELDS + 32);
        int found = 0;
        for (long at = table; at < table + size; at += 80) {
            if (Arrays.equals(Arrays.copyOfRange(out, (int) at, (int) at + 32), first.digest())) {
                how.change.accept(ByteBuffer.wrap(out, (int) at, 80).slice().order(ByteOrder.LITTLE_ENDIAN));
                found++;
            }
        }
        assertThat(found).as("records of /a's first chunk").isEqualTo(1);
        return out;
    }

    private static byte[] read(RafsFileSystem fs, RafsSuper sb, String name, int size) throws Exception {
        RafsInode i = sb.lookup(sb.inode(sb.rootIno()), name.getBytes(StandardCharsets.UTF_8));
        ByteBuffer out = ByteBuffer.allocate(size);
        for (long off = 0; off < size; off += 32 << 10) {
            ByteBuffer dst = ByteBuffer.allocateDirect((int) Math.min(32 << 10, size - off));
            fs.read(CTX, i.ino(), 0, off, dst);
            out.put(dst.flip());
        }
        return out.array();
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void corruptRecordGivesEioAndNeighboursReadRight(Corruption how) throws Exception {
        try (RafsSuper sb = RafsSuper.fromBytes(corrupt(how));
             CacheManager cache = CacheFactory.builder(CacheOptions.builder(CacheType.BLOBCACHE)
                     .workDir(work.resolve("cache-" + how)).build(), LocalFsBackend.ofDir(blobs)).build();
             BlobDevice device = cache.open(new CacheBlobs(sb).blobs())) {
            RafsFileSystem fs = RafsFileSystem.builder(sb).device(device).ticker(new ManualTicker()).build();
            for (int round = 0; round < 2; round++) {
                assertThatThrownBy(() -> read(fs, sb, "a", fileA.length)).isInstanceOf(FsException.class)
                        .extracting(e -> ((FsException) e).errno()).isEqualTo(Errno.EIO);
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Object>> results = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    boolean bad = t % 2 == 0;
                    results.add(pool.submit(() -> {
                        try {
                            return bad ? read(fs, sb, "a", fileA.length) : read(fs, sb, "b", fileB.length);
                        } catch (FsException e) {
                            return e.errno();
                        }
                    }));
                }
                for (int t = 0; t < results.size(); t++) {
                    Object got = results.get(t).get(1, TimeUnit.MINUTES);
                    if (t % 2 == 0) {
                        assertThat(got).as("reader of the corrupt file").isEqualTo(Errno.EIO);
                    } else {
                        assertThat(got).as("reader of the intact file").isEqualTo(fileB);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(read(fs, sb, "b", fileB.length)).isEqualTo(fileB);
        }
    }
}
