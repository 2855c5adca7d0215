package dev.jnydus.cache.file;

import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.RangeProgress;
import dev.jnydus.backend.RequestSource;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkTable;
import dev.jnydus.cache.file.FetchProbe.Step;
import dev.jnydus.cache.file.InflightChunks.Claim;
import dev.jnydus.cache.file.InflightChunks.ClaimSet;
import dev.jnydus.cache.prefetch.PrefetchScheduler;
import dev.jnydus.common.BlobFeatures;
import dev.jnydus.common.ChunkFlags;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches claimed chunks of one blob from the backend: merges them into ranges, amplifies reads
 * into the chunks that follow, and for each chunk decodes, checks, hands out, keeps in memory and
 * stores it, as soon as its bytes have arrived where the backend tells (so the reader of a range's
 * first chunk does not wait for the amplified rest).
 *
 * <p>Every claim given to {@link #fetch} is completed before it returns, whatever happens on the
 * way: a failed request, undecodable or invalid data (refetched once, then EIO), a runtime
 * exception or an error anywhere in the fetch. Failures reach the claim's waiters as EIO with the
 * cause kept; {@link #fetch} itself never throws. A failed write to the cache file costs only the
 * cache: the data was already handed out and the chunk stays not ready.
 */
final class ChunkFetcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkFetcher.class);

    private final FileCacheManager mgr;
    private final BlobInfo info;
    private final String blobId;
    private final ChunkIdentity identity;
    private final BlobCacheFiles files;
    private final ChunkDecoder decoder;
    private final MemoryChunks memory;
    private final Object readerLock = new Object();
    private volatile BlobReader reader;
    private volatile boolean closed;

    ChunkFetcher(FileCacheManager mgr, BlobInfo info, ChunkIdentity identity, BlobCacheFiles files,
                 ChunkDecoder decoder, MemoryChunks memory) {
        this.mgr = mgr;
        this.info = info;
        this.blobId = info.blobId();
        this.identity = identity;
        this.files = files;
        this.decoder = decoder;
        this.memory = memory;
    }

    /**
     * Fetches {@code chunks}, all claimed in {@code claims}, with one request per merged range of
     * at most {@code window} compressed bytes; with {@code amplify}, each range is extended by the
     * chunks that follow it in the blob (claimed into {@code claims} too).
     *
     * @return the bytes requested and the first failure (its chunks' claims already failed with it)
     */
    Fetched fetch(ClaimSet claims, List<ChunkInfo> chunks, long window, boolean amplify, RequestSource source) {
        List<List<ChunkInfo>> groups = ChunkRanges.merge(chunks, window);
        if (amplify && window > 0 && info.chunkTable() != null) {
            for (List<ChunkInfo> g : groups) {
                extend(claims, g, window);
            }
        }
        FsException first = null;
        long bytes = 0;
        boolean onDemand = source == RequestSource.ON_DEMAND;
        // Prefetch workers start no new request while a reader waits (see PrefetchScheduler): until
        // the chunks asked for are out, not until the amplified rest, as speculative as a
        // prefetch, has arrived too.
        ReaderWait wait = new ReaderWait(mgr.scheduler(), onDemand ? chunks : null);
        try {
            for (List<ChunkInfo> g : groups) {
                bytes += ChunkRanges.end(g) - ChunkRanges.start(g);
                FsException e = execute(claims, g, source, wait);
                if (first == null) {
                    first = e;
                }
            }
        } finally {
            wait.end();
        }
        if (onDemand) {
            mgr.scheduler().chargeOnDemand(bytes);
        }
        return new Fetched(bytes, first);
    }

    /**
     * A reader's wait, announced to the prefetch scheduler from the start of its fetch until the
     * last chunk it asked for is handed out (or failed); nothing for a prefetch. Used by the
     * fetching thread only.
     */
    private static final class ReaderWait {
        private final PrefetchScheduler scheduler;
        private final Set<Integer> asked = new HashSet<>();
        private boolean ended;

        /** @param chunks the chunks a reader asked for, or null for a prefetch (no wait to announce) */
        ReaderWait(PrefetchScheduler scheduler, List<ChunkInfo> chunks) {
            this.scheduler = scheduler;
            ended = chunks == null;
            if (!ended) {
                chunks.forEach(c -> asked.add(c.index()));
                scheduler.onDemandStarted();
            }
        }

        /** Chunk {@code c} is out (data or failure); the wait ends with the last one asked for. */
        void done(ChunkInfo c) {
            if (asked.remove(c.index()) && asked.isEmpty()) {
                end();
            }
        }

        void end() {
            if (!ended) {
                ended = true;
                scheduler.onDemandFinished();
            }
        }
    }

    /** What {@link #fetch} did: compressed bytes requested, and the first failure or null. */
    record Fetched(long bytes, FsException failure) {
    }

    /**
     * Read amplification: adds the chunks that follow the group in the blob, while they are
     * neither cached nor being fetched and the request stays within {@code window} compressed
     * bytes (upstream's {@code add_more_chunks} with {@code amplify_io}).
     */
    private void extend(ClaimSet claims, List<ChunkInfo> group, long window) {
        ChunkTable table = info.chunkTable();
        long start = ChunkRanges.start(group);
        long end = ChunkRanges.end(group);
        long maxGap = window >> ChunkRanges.GAP_SHIFT;
        int next = group.get(group.size() - 1).index() + 1;
        while (next < table.size()) {
            ChunkInfo s;
            try {
                s = identity.canonical(table.get(next));
            } catch (FsException | RuntimeException e) {
                LOG.debug("blob {}: amplification stops at chunk {}: {}", blobId, next, e.toString());
                break;
            }
            if (s.compressedOffset() < end || s.compressedOffset() - end > maxGap || s.compressedEnd() - start > window
                    || (s.flags() & (ChunkFlags.BATCH | ChunkFlags.ENCRYPTED)) != 0 || files.isReady(s.index())) {
                break;
            }
            Claim c = claims.tryClaim(s.index());
            if (c == null) {
                break;
            }
            if (files.isReady(s.index())) {
                // Became ready meanwhile: nobody can have waited on a claim this young for long;
                // whoever did fetches or reads it again.
                c.release();
                break;
            }
            group.add(s);
            end = s.compressedEnd();
            next++;
        }
    }

    /**
     * Reads one group with one backend request and decodes, checks, hands out and stores each
     * chunk: as soon as its bytes have arrived when the backend tells (a remote one), else after
     * the read. Completes every claim of the group. Returns the first failure, or null. The source
     * picks the backend's retry budget and, behind a Dragonfly proxy, the request's priority.
     */
    private FsException execute(ClaimSet claims, List<ChunkInfo> group, RequestSource source, ReaderWait wait) {
        long start = ChunkRanges.start(group);
        long end = ChunkRanges.end(group);
        Arrivals arrivals = new Arrivals(claims, group, wait);
        byte[] buf;
        try {
            mgr.probe().reached(Step.REQUEST, group);
            unsupported(group);
            if (end - start > Integer.MAX_VALUE - 16) {
                throw new FsException(Errno.EINVAL, "request of " + (end - start) + " bytes from blob " + blobId);
            }
            buf = readBackend(start, (int) (end - start), source, arrivals);
        } catch (Throwable t) {
            // Chunks already handed out keep their data; only the rest fail.
            FsException fe = failure(t, "reading blob " + blobId + " range " + start + "+" + (end - start));
            for (ChunkInfo c : arrivals.pending()) {
                fail(claims, c, fe);
                wait.done(c);
            }
            return arrivals.first != null ? arrivals.first : fe;
        }
        arrivals.arrived(start, buf, buf.length);
        FsException first = arrivals.first;
        // The good chunks are out before any refetch, so their readers wait for one request only.
        for (ChunkInfo c : arrivals.bad) {
            try {
                LOG.warn("blob {} chunk {}: fetched data fails validation; fetching it again", blobId, c.index());
                byte[] stored = readBackend(c.compressedOffset(), c.compressedSize(), source, RangeProgress.NONE);
                byte[] d = decodeChecked(c, stored, 0);
                if (d == null) {
                    throw new FsException(Errno.EIO, "blob " + blobId + " chunk " + c.index()
                            + ": data digest value doesn't match, twice; not served");
                }
                deliver(claims, c, d, stored, 0);
            } catch (Throwable t) {
                FsException fe = failure(t, "blob " + blobId + " chunk " + c.index());
                fail(claims, c, fe);
                first = first == null ? fe : first;
            } finally {
                wait.done(c);
            }
        }
        return first;
    }

    /**
     * The chunks of one group, handled in blob order as their bytes arrive: decoded, checked and
     * handed out (or set aside for one refetch when the data is bad). Told by the backend during
     * the read, then once more with the whole range; each chunk is handled once.
     */
    private final class Arrivals implements RangeProgress {
        private final ClaimSet claims;
        private final List<ChunkInfo> group;
        private final ReaderWait wait;
        private final List<ChunkInfo> bad = new ArrayList<>();
        private int next;
        private FsException first;

        Arrivals(ClaimSet claims, List<ChunkInfo> group, ReaderWait wait) {
            this.claims = claims;
            this.group = group;
            this.wait = wait;
        }

        @Override
        public void arrived(long offset, byte[] data, int length) {
            while (next < group.size()) {
                ChunkInfo c = group.get(next);
                if (c.compressedOffset() < offset || c.compressedEnd() > offset + length) {
                    return;
                }
                next++;
                handle(c, data, (int) (c.compressedOffset() - offset));
            }
        }

        private void handle(ChunkInfo c, byte[] src, int off) {
            try {
                byte[] d = decodeChecked(c, src, off);
                if (d == null) {
                    bad.add(c);
                    return;
                }
                deliver(claims, c, d, src, off);
            } catch (Throwable t) {
                FsException fe = failure(t, "blob " + blobId + " chunk " + c.index());
                fail(claims, c, fe);
                first = first == null ? fe : first;
            }
            wait.done(c);
        }

        /** The chunks not handled yet, bad ones included: what a failed read leaves without data. */
        List<ChunkInfo> pending() {
            List<ChunkInfo> out = new ArrayList<>(bad);
            out.addAll(group.subList(next, group.size()));
            return out;
        }
    }

    private void unsupported(List<ChunkInfo> group) throws FsException {
        if (info.hasFeature(BlobFeatures.ENCRYPTED) || info.hasFeature(BlobFeatures.ZRAN)) {
            throw new FsException(Errno.EOPNOTSUPP, "blob " + blobId + ": encrypted and ZRAN blobs are not supported");
        }
        for (ChunkInfo c : group) {
            if ((c.flags() & (ChunkFlags.BATCH | ChunkFlags.ENCRYPTED)) != 0) {
                throw new FsException(Errno.EOPNOTSUPP, "blob " + blobId + " chunk " + c.index()
                        + ": batch and encrypted chunks are not supported");
            }
        }
    }

    /** Decodes and, when it applies, validates a chunk; null when the data is bad (worth one refetch). */
    private byte[] decodeChecked(ChunkInfo c, byte[] src, int off) {
        mgr.probe().reached(Step.DECODE, List.of(c));
        byte[] d;
        try {
            d = decoder.decode(c, src, off);
        } catch (FsException e) {
            LOG.debug("{}", e.getMessage());
            return null;
        }
        if (decoder.needsCheck(c)) {
            mgr.probe().reached(Step.VALIDATE, List.of(c));
            if (!decoder.verify(c, d)) {
                return null;
            }
        }
        return d;
    }

    /** Hands a good chunk to its waiters and the memory cache, stores it, then releases its claim. */
    private void deliver(ClaimSet claims, ChunkInfo c, byte[] d, byte[] stored, int off) {
        Claim claim = claims.get(c.index());
        if (claim != null) {
            claim.succeed(d);
        }
        try {
            memory.put(c, d);
            if (files.isFileBacked() && !closed) {
                mgr.probe().reached(Step.STORE, List.of(c));
                files.store(c, d, stored, off);
            }
        } catch (Throwable t) {
            // Served from memory this time; stays not ready, so it is fetched again later.
            LOG.warn("blob {} chunk {}: storing in the cache failed: {}", blobId, c.index(), t.toString());
        } finally {
            if (claim != null) {
                claim.release();
            }
        }
    }

    private static void fail(ClaimSet claims, ChunkInfo c, FsException e) {
        Claim claim = claims.get(c.index());
        if (claim != null && !claim.isDone()) {
            claim.fail(e);
        } else if (claim != null) {
            claim.release();
        }
    }

    /**
     * What a failed step means for the readers: EIO (an unsupported chunk keeps its errno), with
     * the cause. Anything but an I/O failure is a bug or exhaustion, logged with its stack.
     */
    private FsException failure(Throwable t, String what) {
        if (!(t instanceof IOException)) {
            LOG.error("{}: fetch failed unexpectedly", what, t);
        }
        if (t instanceof FsException fe && fe.errno() != Errno.EINTR) {
            return fe;
        }
        return new FsException(Errno.EIO, what + ": " + t, t);
    }

    private byte[] readBackend(long offset, int length, RequestSource source, RangeProgress progress)
            throws IOException {
        byte[] buf = new byte[length];
        ensureReader().readFully(ByteBuffer.wrap(buf), offset, source, progress);
        return buf;
    }

    private BlobReader ensureReader() throws IOException {
        BlobReader r = reader;
        if (r == null) {
            synchronized (readerLock) {
                r = reader;
                if (r == null) {
                    if (closed) {
                        throw new FsException(Errno.EBADF, "blob cache " + blobId + " is closed");
                    }
                    r = mgr.backend().open(blobId);
                    reader = r;
                }
            }
        }
        return r;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (readerLock) {
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }
    }
}
