package dev.jnydus.common;

/**
 * The request-size buckets of upstream's metrics ({@code request_size_index} in nydus
 * {@code utils/src/metrics.rs}), shared by the filesystem and the backend metrics: &lt;1K, 1K-4K,
 * 4K-16K, 16K-64K, 64K-128K, 128K-512K, 512K-1M, &ge;1M.
 */
public final class RequestSizes {
    /** Number of buckets. */
    public static final int BUCKETS = 8;
    /** Lower bounds of buckets 1..7, in KiB. */
    private static final long[] FROM_KIB = {1, 4, 16, 64, 128, 512, 1024};

    private RequestSizes() {
    }

    /** The bucket of a request of {@code size} bytes. */
    public static int index(long size) {
        long k = size >>> 10;
        int i = 0;
        while (i < FROM_KIB.length && k >= FROM_KIB[i]) {
            i++;
        }
        return i;
    }
}
