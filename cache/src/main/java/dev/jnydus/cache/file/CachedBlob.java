package dev.jnydus.cache.file;

import dev.jnydus.backend.RequestSource;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.ChunkInfo;
import dev.jnydus.cache.device.ChunkSink;
import dev.jnydus.cache.device.ChunkSlice;
import dev.jnydus.cache.device.ExternalCacheFile;
import dev.jnydus.cache.file.InflightChunks.Claim;
import dev.jnydus.cache.file.InflightChunks.ClaimSet;
import dev.jnydus.common.Errno;
import dev.jnydus.common.FsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache of one blob, shared by every device that uses it, and its read path. The parts, each
 * small enough to check on its own:
 * <ul>
 *   <li>{@link ChunkIdentity}: which record is which chunk (index or digest) and which records
 *       are corrupt;</li>
 *   <li>{@link BlobCacheFiles}: the cache file and chunk map, kept in step;</li>
 *   <li>{@link InflightChunks}: the chunks being fetched, whose claims are always completed;</li>
 *   <li>{@link ChunkDecoder}: decoding and validation;</li>
 *   <li>{@link ChunkFetcher}: backend requests, amplification, storing;</li>
 *   <li>this class: serving a read from memory, the cache file or a fetch.</li>
 * </ul>
 *
 * <p>A read never serves bytes that failed validation, and never waits on anyone without a
 * bound. A thread executes all its own claims before it waits on anyone else's, so two readers
 * can never wait on each other. Prefetch claims only chunks nobody holds and never waits; a
 * reader needing a chunk that a prefetch request holds waits for that one request, which is
 * already on the wire (the limiter runs before the claim). If that request fails, the reader
 * fetches the chunk itself once before reporting EIO.
 */
final class CachedBlob {
    private static final Logger LOG = LoggerFactory.getLogger(CachedBlob.class);

    static final String CHUNK_MAP_SUFFIX = BlobCacheFiles.CHUNK_MAP_SUFFIX;
    /** What a fill learns of a chunk that was already ready in a write-only file: nothing. */
    private static final byte[] NOT_READ = new byte[0];

    private final FileCacheManager mgr;
    private final BlobInfo info;
    private final String blobId;
    private final ChunkIdentity identity;
    private final BlobCacheFiles files;
    private final InflightChunks inflight;
    private final ChunkDecoder decoder;
    private final MemoryChunks memory;
    private final ChunkFetcher fetcher;
    private volatile boolean closed;
    int refs;

    private CachedBlob(FileCacheManager mgr, BlobInfo info, ChunkIdentity identity, BlobCacheFiles files,
                       Duration waitLimit) {
        this.mgr = mgr;
        this.info = info;
        this.blobId = info.blobId();
        this.identity = identity;
        this.files = files;
        this.inflight = new InflightChunks(blobId, waitLimit);
        this.decoder = new ChunkDecoder(info, mgr.options().digestValidate(), files.isPersistent());
        // An uncompressed cache file serves slices of its chunks, and the kernel's page cache keeps
        // what is read often; decoded chunks are worth keeping in memory only when there is no such
        // file (dummycache) or its chunks must be decompressed on every read.
        boolean slices = files.isFileBacked() && !files.storesCompressed();
        this.memory = new MemoryChunks(slices ? null : mgr.hotCache(), blobId, identity.numbering());
        this.fetcher = new ChunkFetcher(mgr, info, identity, files, decoder, memory);
    }

    /** Opens the cache of a blob (no files for dummycache). */
    static CachedBlob open(FileCacheManager mgr, BlobInfo info) throws IOException {
        ChunkIdentity identity = ChunkIdentity.of(info);
        return new CachedBlob(mgr, info, identity, BlobCacheFiles.open(mgr, info, identity), mgr.fetchWaitLimit());
    }

    /**
     * Opens a blob over a cache file someone else owns and reads ({@link ExternalChunkStore}),
     * its readiness rebuilt from the file's data extents. Such a blob is only filled ({@link #fill})
     * and prefetched, never read through {@link #read}.
     */
    static CachedBlob openExternal(FileCacheManager mgr, BlobInfo info, ExternalCacheFile file) throws IOException {
        ChunkIdentity identity = ChunkIdentity.of(info);
        ExternalChunkStore store = new ExternalChunkStore(file, info.uncompressedSize());
        return new CachedBlob(mgr, info, identity, BlobCacheFiles.external(mgr, info, store), mgr.fetchWaitLimit());
    }

    /** Whether the blob's file belongs to someone else (see {@link #openExternal}). */
    boolean isExternal() {
        return files.isFileBacked() && !files.isReadable();
    }

    BlobInfo info() {
        return info;
    }

    String blobId() {
        return blobId;
    }

    long cachedBytes() {
        return files.cachedBytes();
    }

    boolean isFileBacked() {
        return files.isFileBacked();
    }

    String dataFileName() {
        return files.dataFileName();
    }

    /** The cache file holding the blob uncompressed at uncompressed offsets, or null (dummy or raw cache). */
    Path uncompressedDataFile() {
        return files.uncompressedDataFile();
    }

    /** Chunks being fetched right now. */
    int inflightCount() {
        return inflight.size();
    }

    /** Waits for the fetches under way now to release their chunks (see {@link InflightChunks#awaitAllReleased}). */
    void awaitInflight() throws FsException {
        inflight.awaitAllReleased();
    }

    /** The chunk as this blob keys it, or null (logged) for a record that cannot be one of its chunks. */
    ChunkInfo keyed(ChunkInfo chunk) {
        try {
            return identity.canonical(chunk);
        } catch (FsException e) {
            LOG.warn("{}", e.getMessage());
            return null;
        }
    }

    /** Whether the chunk is cached; false for a record that cannot be one of this blob's. */
    boolean isReady(ChunkInfo chunk) {
        if (!files.isFileBacked()) {
            return false;
        }
        try {
            return files.isReady(identity.canonical(chunk).index());
        } catch (FsException e) {
            return false;
        }
    }

    /** Whether the chunk is cached and trusted without a check (not left unverified by an unclean stop). */
    boolean isReadyForDirectRead(ChunkInfo chunk) {
        if (!files.isFileBacked()) {
            return false;
        }
        try {
            int id = identity.canonical(chunk).index();
            return files.isReady(id) && !files.isUnverified(id);
        } catch (FsException e) {
            return false;
        }
    }

    boolean isAllReady() {
        return files.isAllReady();
    }

    int readyCount() {
        return files.readyCount();
    }

    // ---------------------------------------------------------------- reads

    /** Delivers {@code asked} (all of this blob) to {@code sink}, in order. */
    void read(List<ChunkSlice> asked, ChunkSink sink) throws IOException {
        mgr.counters().total.increment();
        List<ChunkSlice> slices = canonical(asked);
        if (slices.size() == 1 && readReadySlice(slices.get(0), sink)) {
            return;
        }
        Map<Integer, ChunkInfo> distinct = new LinkedHashMap<>();
        for (ChunkSlice s : slices) {
            distinct.putIfAbsent(s.chunk().index(), s.chunk());
        }
        Map<Integer, byte[]> data = new HashMap<>();
        Set<Integer> direct = new HashSet<>();
        List<ChunkInfo> missing = new ArrayList<>();
        for (ChunkInfo c : distinct.values()) {
            if (files.servesSlice(c.index())) {
                direct.add(c.index());
                continue;
            }
            byte[] d = memory.get(c);
            if (d != null) {
                // A chunk held in memory is a hit of the cache too (upstream counts it as whole).
                mgr.counters().wholeHits.increment();
            } else if (files.isReady(c.index())) {
                d = readCached(c);
            } else if (files.isFileBacked() && !files.isPersistent() && c.digest() != null) {
                d = recover(c);
            }
            if (d != null) {
                data.put(c.index(), d);
            } else {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            data.putAll(fetchAndWait(missing));
        }
        for (ChunkSlice s : slices) {
            byte[] d = data.get(s.chunk().index());
            if (d != null) {
                sink.accept(ByteBuffer.wrap(d, s.offset(), s.length()));
            } else {
                deliverFromFile(s, sink);
            }
        }
    }

    /** The slices with their chunks as this blob keys them (the same list when nothing changes). */
    private List<ChunkSlice> canonical(List<ChunkSlice> slices) throws FsException {
        List<ChunkSlice> out = null;
        for (int i = 0; i < slices.size(); i++) {
            ChunkSlice s = slices.get(i);
            ChunkInfo c = identity.canonical(s.chunk());
            if (c != s.chunk() && out == null) {
                out = new ArrayList<>(slices.subList(0, i));
            }
            if (out != null) {
                out.add(c == s.chunk() ? s : new ChunkSlice(c, s.offset(), s.length()));
            }
        }
        return out == null ? slices : out;
    }

    /**
     * The common case of a small read: one slice of a chunk that is ready in the cache file (and
     * checked, where checks apply) or in memory, served without the bookkeeping of the general
     * path. Returns false (having delivered nothing) when the chunk needs that path: fetching,
     * checking or recovering.
     */
    private boolean readReadySlice(ChunkSlice s, ChunkSink sink) throws IOException {
        ChunkInfo c = s.chunk();
        if (files.servesSlice(c.index())) {
            deliverFromFile(s, sink);
            return true;
        }
        byte[] d = memory.get(c);
        if (d != null) {
            mgr.counters().wholeHits.increment();
            sink.accept(ByteBuffer.wrap(d, s.offset(), s.length()));
            return true;
        }
        return false;
    }

    /**
     * Delivers a slice of a ready chunk straight from the (uncompressed) cache file: into the
     * caller's buffer when the sink lends one (no temporary, no copy), else through a temporary.
     */
    private void deliverFromFile(ChunkSlice s, ChunkSink sink) throws IOException {
        if (sink instanceof ChunkSink.ToBuffer tb && tb.destination().remaining() >= s.length()) {
            ByteBuffer dst = tb.destination();
            files.readSlice(s.chunk(), s.offset(), dst.slice(dst.position(), s.length()));
            dst.position(dst.position() + s.length());
        } else {
            ByteBuffer buf = ByteBuffer.allocate(s.length());
            files.readSlice(s.chunk(), s.offset(), buf);
            buf.flip();
            sink.accept(buf);
        }
        mgr.counters().partialHits.increment();
    }

    /**
     * A ready chunk from memory, else from the cache file; null if the file's copy is bad. A
     * write-only file is never read back: it is only filled, where nobody waits for the bytes, so
     * they stand for themselves as {@link #NOT_READ}.
     */
    private byte[] memoryOrCached(ChunkInfo c) {
        if (!files.isReadable()) {
            return NOT_READ;
        }
        byte[] d = memory.get(c);
        return d != null ? d : readCached(c);
    }

    /**
     * Reads a whole ready chunk from the cache file, checking it when it has not been checked in
     * this run (unverified after an unclean stop, or digest_validate on) or is decoded from a
     * compressed cache file (as upstream does); null (and not ready) if it is bad.
     */
    private byte[] readCached(ChunkInfo c) {
        boolean unverified = files.isUnverified(c.index());
        if (unverified && !ChunkDecoder.canCheck(c)) {
            LOG.debug("blob {} chunk {}: cached before an unclean stop, nothing to check it by; refetching", blobId,
                    c.index());
            files.drop(c);
            return null;
        }
        try {
            byte[] d = readUncompressed(c);
            boolean firstUse = files.mustCheck(c.index());
            boolean check = firstUse || (files.storesCompressed() && decoder.needsCheck(c));
            if (check && !decoder.verify(c, d, unverified)) {
                LOG.warn("blob {} chunk {}: cached data fails validation; refetching", blobId, c.index());
                files.drop(c);
                return null;
            }
            if (firstUse) {
                files.verified(c);
            }
            mgr.counters().wholeHits.increment();
            memory.put(c, d);
            return d;
        } catch (IOException e) {
            LOG.warn("blob {} chunk {}: cached data unreadable ({}); refetching", blobId, c.index(), e.toString());
            files.drop(c);
            return null;
        }
    }

    /** The chunk's uncompressed bytes from the cache file, unchecked. */
    private byte[] readUncompressed(ChunkInfo c) throws IOException {
        byte[] stored = files.readStored(c);
        return files.storesCompressed() ? decoder.decode(c, stored, 0) : stored;
    }

    /** Without persisted readiness, data in the cache file counts only once it validates. */
    private byte[] recover(ChunkInfo c) {
        try {
            byte[] d = readUncompressed(c);
            if (decoder.verify(c, d, true)) {
                files.markFound(c);
                mgr.counters().wholeHits.increment();
                memory.put(c, d);
                return d;
            }
        } catch (IOException e) {
            LOG.debug("blob {} chunk {}: nothing to recover: {}", blobId, c.index(), e.toString());
        }
        return null;
    }

    /**
     * Fetches missing chunks and waits for all of them: the ones nobody holds are claimed and
     * fetched first, then the ones someone else is fetching are waited for. A chunk whose other
     * fetcher failed (a prefetch, say) is tried once with our own request. Where the backend hands
     * chunks out as they arrive, our fetch runs on a fetch thread and we wait only for our own
     * chunks, not for the amplified rest of the request; otherwise it runs on this thread.
     */
    private Map<Integer, byte[]> fetchAndWait(List<ChunkInfo> missing) throws FsException {
        Map<Integer, byte[]> out = new HashMap<>();
        List<ChunkInfo> todo = missing;
        for (int round = 0; round < 2 && !todo.isEmpty(); round++) {
            Map<Integer, Claim> others = new HashMap<>();
            Map<Integer, Claim> own = new HashMap<>();
            ClaimSet claims = inflight.newSet();
            List<ChunkInfo> mine;
            try {
                mine = claim(claims, todo, others);
                for (ChunkInfo c : todo) {
                    Claim o = claims.get(c.index());
                    if (o != null) {
                        own.put(c.index(), o);
                    }
                }
            } catch (RuntimeException | Error e) {
                claims.close();
                throw e;
            }
            // fetchClaimed closes the set, on whichever thread runs it.
            if (mine.isEmpty()) {
                claims.close();
            } else if (mgr.streamsOnDemandFetches()) {
                mgr.fetchThreads().run(() -> fetchClaimed(claims, mine));
            } else {
                fetchClaimed(claims, mine);
            }
            for (ChunkInfo c : todo) {
                Claim o = own.get(c.index());
                if (o != null) {
                    out.put(c.index(), inflight.await(o));
                }
            }
            List<ChunkInfo> retry = new ArrayList<>();
            for (ChunkInfo c : todo) {
                Claim theirs = others.get(c.index());
                if (theirs == null) {
                    continue;
                }
                try {
                    out.put(c.index(), inflight.await(theirs));
                } catch (FsException e) {
                    if (round > 0) {
                        throw e;
                    }
                    retry.add(c);
                }
            }
            todo = retry;
        }
        return out;
    }

    /** Fetches the claimed chunks (amplified, for a reader) and completes and releases every claim of the set. */
    private void fetchClaimed(ClaimSet claims, List<ChunkInfo> mine) {
        try {
            fetcher.fetch(claims, mine, mgr.options().amplifyIo(), true, RequestSource.ON_DEMAND);
            // The fetch completes every claim it was given; should one slip through, it fails
            // here rather than make a reader wait for it until the wait limit.
            claims.failPending(new FsException(Errno.EIO, "blob " + blobId + ": fetch ended without a result"));
        } finally {
            claims.close();
        }
    }

    /**
     * Claims what nobody holds (returned, in index order, minus chunks that turned out ready and
     * were completed from the cache) and puts the claims others hold into {@code others}.
     */
    private List<ChunkInfo> claim(ClaimSet claims, List<ChunkInfo> chunks, Map<Integer, Claim> others) {
        List<ChunkInfo> sorted = new ArrayList<>(chunks);
        sorted.sort(Comparator.comparingInt(ChunkInfo::index));
        List<ChunkInfo> mine = new ArrayList<>();
        for (ChunkInfo c : sorted) {
            Claim own;
            Claim theirs = null;
            // A holder may release between our attempt and the lookup: then claim again.
            while ((own = claims.tryClaim(c.index())) == null && (theirs = inflight.holder(c.index())) == null) {
                Thread.onSpinWait();
            }
            if (own == null) {
                others.put(c.index(), theirs);
                continue;
            }
            if (files.isReady(c.index())) {
                // Became ready between our check and the claim.
                byte[] d = memoryOrCached(c);
                if (d != null) {
                    own.succeed(d);
                    own.release();
                    continue;
                }
            }
            mine.add(c);
        }
        return mine;
    }

    /**
     * Makes {@code chunks} (all of this blob) ready in the cache file without delivering them: the
     * missing ones are fetched (amplified, validated, stored) as a read would. Returns the number
     * that were missing.
     *
     * <p>Success means stored, not only fetched: a reader of the file (the kernel) finds the bytes
     * there. A fetcher hands its data out before it stores it, so a fill that waited for someone
     * else's fetch also waits for that fetch to release its claim; a chunk whose store failed is
     * fetched again once, then the fill fails with EIO.
     */
    int fill(List<ChunkInfo> chunks) throws IOException {
        mgr.counters().total.increment();
        List<ChunkInfo> asked = new ArrayList<>(chunks.size());
        for (ChunkInfo c : chunks) {
            asked.add(identity.canonical(c));
        }
        int missingAtFirst = -1;
        for (int round = 0; ; round++) {
            List<ChunkInfo> missing = notReady(asked);
            if (missingAtFirst < 0) {
                missingAtFirst = missing.size();
            }
            if (missing.isEmpty()) {
                return missingAtFirst;
            }
            if (round == 2) {
                throw new FsException(Errno.EIO, "blob " + blobId + ": " + missing.size() + " chunks from chunk "
                        + missing.get(0).index() + " could not be stored in cache file " + files.dataFileName());
            }
            fetchAndWait(missing);
            for (ChunkInfo c : notReady(missing)) {
                Claim holder = inflight.holder(c.index());
                if (holder != null) {
                    inflight.awaitReleased(holder);
                }
            }
        }
    }

    private List<ChunkInfo> notReady(List<ChunkInfo> chunks) {
        List<ChunkInfo> out = new ArrayList<>();
        for (ChunkInfo c : chunks) {
            if (!files.isReady(c.index())) {
                out.add(c);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- prefetch

    /**
     * Fetches the chunks of one merged prefetch range that nobody has cached or claimed. Never
     * waits for other requests. Returns the bytes fetched.
     */
    long prefetch(List<ChunkInfo> chunks, BooleanSupplier cancelled) throws IOException {
        if (!files.isFileBacked() || closed) {
            return 0;
        }
        try (ClaimSet claims = inflight.newSet()) {
            List<ChunkInfo> mine = new ArrayList<>();
            for (ChunkInfo asked : chunks) {
                if (cancelled.getAsBoolean()) {
                    break;
                }
                ChunkInfo c = keyed(asked);
                if (c == null || files.isReady(c.index())) {
                    continue;
                }
                Claim own = claims.tryClaim(c.index());
                if (own == null) {
                    continue;
                }
                if (files.isReady(c.index())) {
                    own.release();
                    continue;
                }
                mine.add(c);
            }
            if (mine.isEmpty()) {
                return 0;
            }
            // Every claimed chunk is fetched even if cancelled meanwhile: readers may be waiting on it.
            ChunkFetcher.Fetched f = fetcher.fetch(claims, mine, mgr.options().prefetch().effectiveMergingSize(), false,
                    RequestSource.PREFETCH);
            if (f.failure() != null) {
                throw f.failure();
            }
            return f.bytes();
        }
    }

    void close() {
        closed = true;
        fetcher.close();
        files.close();
    }
}
