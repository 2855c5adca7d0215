package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.cache.device.CacheOptions;
import dev.jnydus.cache.device.CacheType;
import dev.jnydus.cache.device.PrefetchOptions;
import dev.jnydus.cache.file.FileCacheManager;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.daemon.cli.StartupException;
import dev.jnydus.rafs.metadata.BlobInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupLimitsTest {
    private static final long MIB = 1 << 20;
    private static final MemoryBudget ONE_GIB = new MemoryBudget(1024 * MIB, 1024 * MIB);

    private static CacheOptions options(long amplifyIo, PrefetchOptions prefetch) {
        return CacheOptions.builder(CacheType.BLOBCACHE).workDir(Path.of("/c")).amplifyIo(amplifyIo).prefetch(prefetch)
                .build();
    }

    @Test
    void upstreamsDefaultsFitInASmallHeap() {
        StartupLimits.Demand d = StartupLimits.Demand.of(4, RafsInstance.FETCH_THREADS, options(MIB, PrefetchOptions.enabled(8, MIB, 0, false)));
        assertThatCode(() -> StartupLimits.check(d, new MemoryBudget(128 * MIB, 128 * MIB))).doesNotThrowAnyException();
    }

    @Test
    void tooManyFuseThreadsForTheDirectMemoryLimitIsOneErrorQuotingTheNumbers() {
        StartupLimits.Demand d = StartupLimits.Demand.of(1024, RafsInstance.FETCH_THREADS, options(MIB, PrefetchOptions.disabled()));
        assertThatThrownBy(() -> StartupLimits.check(d, new MemoryBudget(8192 * MIB, 1024 * MIB)))
                .isInstanceOf(StartupException.class)
                .hasMessage("the configuration needs more memory than this JVM may use: direct memory 2.0 GiB "
                        + "(1024 FUSE threads x 2.0 MiB of request buffers + 12 x 1.0 MiB amplify_io for blob I/O) "
                        + "is over 3/4 of the 1.0 GiB limit (-XX:MaxDirectMemorySize, by default -Xmx). Lower "
                        + "--fuse-threads, amplify_io (rafs.batch_size) or the prefetch threads and merging size, or "
                        + "raise the limits in JNYDUS_JAVA_OPTS");
    }

    @Test
    void aLargeAmplificationWindowOrPrefetchBatchIsCheckedAgainstTheHeap() {
        StartupLimits.Demand big = StartupLimits.Demand.of(4, RafsInstance.FETCH_THREADS, options(256 * MIB, PrefetchOptions.disabled()));
        assertThatThrownBy(() -> StartupLimits.check(big, new MemoryBudget(1024 * MIB, 16384 * MIB)))
                .hasMessageContaining("heap 6.0 GiB (2 x (12 x 256.0 MiB amplify_io)) "
                        + "is over 3/4 of the 1.0 GiB heap limit (-Xmx)")
                .message().doesNotContain("direct memory");
        StartupLimits.Demand prefetch = StartupLimits.Demand.of(4, RafsInstance.FETCH_THREADS,
                options(MIB, PrefetchOptions.enabled(64, 256 * MIB, 0, false)));
        assertThatThrownBy(() -> StartupLimits.check(prefetch, ONE_GIB))
                .hasMessageContaining("64 prefetch threads x 256.0 MiB merging size");
    }

    @Test
    void everyFetchThatMayBeUnderWayIsCountedNotOnePerFuseWorker() {
        // A miss waits on the image's fetch pool, not on the worker that received it, and a blob
        // cache may still be receiving up to MAX_TAIL_FETCHES ranges behind readers it answered.
        StartupLimits.Demand one = StartupLimits.Demand.of(1, RafsInstance.FETCH_THREADS, options(MIB,
                PrefetchOptions.disabled()));
        assertThat(one.onDemandFetchers()).isEqualTo(RafsInstance.FETCH_THREADS + FileCacheManager.MAX_TAIL_FETCHES);
        StartupLimits.Demand noCache = StartupLimits.Demand.of(4, RafsInstance.FETCH_THREADS,
                CacheOptions.builder(CacheType.DUMMYCACHE).build());
        assertThat(noCache.onDemandFetchers()).isEqualTo(RafsInstance.FETCH_THREADS);

        // The launcher's -Xmx128m: an 8 MiB amplify_io passed when one fetch per FUSE worker was
        // counted (2 x 4 x 8 MiB), but twelve fetches may hold it at once.
        MemoryBudget launcher = new MemoryBudget(128 * MIB, 128 * MIB);
        assertThatThrownBy(() -> StartupLimits.check(StartupLimits.Demand.of(4, RafsInstance.FETCH_THREADS,
                options(8 * MIB, PrefetchOptions.disabled())), launcher))
                .hasMessageContaining("heap 192.0 MiB (2 x (12 x 8.0 MiB amplify_io)) is over 3/4 of the 128.0 MiB");
        assertThatCode(() -> StartupLimits.check(StartupLimits.Demand.of(4, RafsInstance.FETCH_THREADS,
                options(2 * MIB, PrefetchOptions.enabled(4, MIB, 0, false))), launcher)).doesNotThrowAnyException();
    }

    @Test
    void theChunkMemoryCacheCountsOnlyWhereTheCacheUsesIt() {
        MemoryBudget small = new MemoryBudget(64 * MIB, 64 * MIB);
        StartupLimits.Demand sliced = StartupLimits.Demand.of(4, RafsInstance.FETCH_THREADS, options(MIB, PrefetchOptions.disabled()));
        assertThat(sliced.memoryCacheBytes()).isZero();
        assertThatCode(() -> StartupLimits.check(sliced, small)).doesNotThrowAnyException();

        CacheOptions compressed = CacheOptions.builder(CacheType.BLOBCACHE).workDir(Path.of("/c")).compressed(true)
                .build();
        assertThatThrownBy(() -> StartupLimits.check(StartupLimits.Demand.of(4, RafsInstance.FETCH_THREADS, compressed), small))
                .hasMessageContaining("heap 88.0 MiB (64.0 MiB chunk memory cache + 2 x (12 x 1.0 MiB amplify_io))");
        StartupLimits.Demand dummy = StartupLimits.Demand.of(4, RafsInstance.FETCH_THREADS, CacheOptions.builder(CacheType.DUMMYCACHE).build());
        assertThat(dummy.memoryCacheBytes()).isEqualTo(CacheOptions.DEFAULT_MEMORY_CACHE_BYTES);
    }

    @Test
    void bothLimitsAreReportedInTheOneMessage() {
        StartupLimits.Demand d = StartupLimits.Demand.of(1024, RafsInstance.FETCH_THREADS, options(256 * MIB, PrefetchOptions.disabled()));
        assertThatThrownBy(() -> StartupLimits.check(d, ONE_GIB))
                .hasMessageContaining("direct memory").hasMessageContaining("; heap ");
    }

    @Test
    void chunkMapsOfAllBlobsMustFitInAnEighthOfTheHeap() throws Exception {
        List<BlobInfo> blobs = new ArrayList<>();
        for (int i = 0; i < 72; i++) {
            blobs.add(new BlobInfo(i, "b" + i, Compressor.NONE, Digester.SHA256, 1 << 20, 1 << 24, 0, 0, 0, 0, 0, 0, 0,
                    0, Compressor.NONE, 0, new byte[32], new byte[32], 0));
        }
        assertThatCode(() -> StartupLimits.checkChunkMaps(blobs.subList(0, 8), 1024 * MIB)).doesNotThrowAnyException();
        assertThatThrownBy(() -> StartupLimits.checkChunkMaps(blobs, 1024 * MIB))
                .isInstanceOf(StartupException.class)
                .hasMessage("the image's 72 blobs claim 1207959552 chunks in all, whose readiness maps need 144.0 MiB "
                        + "of heap, over 1/8 of the 1.0 GiB heap limit (-Xmx)");
    }
}
