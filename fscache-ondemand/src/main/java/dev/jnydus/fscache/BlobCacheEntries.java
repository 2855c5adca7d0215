package dev.jnydus.fscache;

import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.cache.device.BlobInfo;
import dev.jnydus.cache.device.BlobcacheMetrics;
import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound images (upstream's blob cache manager, {@code service/src/blob_cache.rs}): bootstrap
 * entries added through {@code PUT /api/v2/blobs} or the singleton's {@code --config}, and the data
 * blobs each bootstrap names, reference-counted within their domain, so that two images of a domain
 * share a blob and unbinding one leaves the other whole.
 *
 * <p>Keys are {@code <domain_id>/<id>}, or {@code <id>} without a domain. An OPEN looks up
 * {@code <stripped volume key>/<cookie key>}: a mount with {@code domain_id=D,fsid=F} finds the
 * bootstrap entry {@code D/F} and the data blobs {@code D/<blob id>}; a mount without a domain
 * needs entries whose domain is the fsid. Entries without a domain are kept but never found, as
 * upstream.
 *
 * <p>Thread-safe. Each bootstrap entry has its own backend and cache manager ({@link Storage});
 * a data blob uses the storage of the first bootstrap that named it.
 */
public final class BlobCacheEntries implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCacheEntries.class);

    private final BackendProvider backends;
    private final Map<String, Bootstrap> bootstraps = new LinkedHashMap<>();
    private final Map<String, Data> dataBlobs = new HashMap<>();
    private boolean closed;

    private static final class Bootstrap {
        final BlobCacheEntry entry;
        final Path path;
        final Storage storage;
        final List<String> dataKeys;

        Bootstrap(BlobCacheEntry entry, Path path, Storage storage, List<String> dataKeys) {
            this.entry = entry;
            this.path = path;
            this.storage = storage;
            this.dataKeys = dataKeys;
        }
    }

    private static final class Data {
        final BlobInfo blob;
        final Storage storage;
        int refs = 1;

        Data(BlobInfo blob, Storage storage) {
            this.blob = blob;
            this.storage = storage;
        }
    }

    public BlobCacheEntries(BackendProvider backends) {
        this.backends = backends;
    }

    /**
     * Adds a bootstrap entry: checks it, opens its bootstrap (RAFS v6 only) to list its data blobs,
     * creates its backend and cache, and registers the bootstrap and every data blob.
     */
    public void add(BlobCacheEntry entry) throws BlobCacheException {
        check(entry);
        Path path = Path.of(entry.config().metadataPath().get());
        List<BlobInfo> blobs = blobsOf(path);
        String key = entry.key();
        Storage storage;
        synchronized (this) {
            ensureOpen();
            if (bootstraps.containsKey(key)) {
                throw new BlobCacheException(BlobCacheException.Kind.EXISTS,
                        "blob_cache: bootstrap blob already exists: " + key);
            }
            storage = Storage.create(key, entry.config(), backends);
            List<String> dataKeys = new ArrayList<>();
            for (BlobInfo b : blobs) {
                String dk = key(entry.domainId(), b.blobId());
                Data d = dataBlobs.get(dk);
                if (d != null) {
                    d.refs++;
                } else {
                    dataBlobs.put(dk, new Data(b, storage.retain()));
                }
                dataKeys.add(dk);
            }
            bootstraps.put(key, new Bootstrap(entry, path, storage, dataKeys));
        }
        LOG.info("blob_cache: bound {} ({}, {} data blobs, backend {})", key, path, blobs.size(),
                entry.config().backend().type());
    }

    private static void check(BlobCacheEntry e) throws BlobCacheException {
        if (BlobCacheEntry.TYPE_DATABLOB.equals(e.type())) {
            throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: a datablob entry cannot be "
                    + "added directly; add the bootstrap that names it");
        }
        if (!e.isBootstrap()) {
            throw new BlobCacheException(BlobCacheException.Kind.INVALID, "blob_cache: unknown entry type '"
                    + e.type() + "' (bootstrap)");
        }
        checkId("id", e.blobId());
        if (!e.domainId().isEmpty()) {
            checkId("domain_id", e.domainId());
        }
        if (e.config().metadataPath().isEmpty() || e.config().metadataPath().get().isEmpty()) {
            throw new BlobCacheException(BlobCacheException.Kind.INVALID,
                    "blob_cache: the bootstrap entry " + e.key() + " has no config.metadata_path");
        }
        Storage.options(e.config());
    }

    private static void checkId(String what, String id) throws BlobCacheException {
        if (id.isEmpty() || id.contains(BlobCacheEntry.ID_SPLITTER) || id.indexOf('\0') >= 0) {
            throw new BlobCacheException(BlobCacheException.Kind.INVALID, "blob_cache: " + what + " '" + id
                    + "' must be non-empty and contain no '/'");
        }
    }

    private static List<BlobInfo> blobsOf(Path bootstrap) throws BlobCacheException {
        if (!Files.isRegularFile(bootstrap)) {
            throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: bootstrap " + bootstrap
                    + " does not exist or is not a regular file");
        }
        try (RafsSuper sb = RafsSuper.open(bootstrap)) {
            if (sb.version() != RafsVersion.V6) {
                throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: bootstrap " + bootstrap
                        + " is " + (sb.version() == RafsVersion.V5 ? "RAFS v5" : "a plain EROFS image")
                        + "; fscache mode serves RAFS v6 only");
            }
            if (sb.blockSize() != 4096) {
                throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: bootstrap " + bootstrap
                        + " has block size " + sb.blockSize() + "; fscache mode needs 4096, the page size");
            }
            return BootstrapBlobs.of(sb);
        } catch (NoSuchFileException e) {
            throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: bootstrap " + bootstrap
                    + " does not exist", e);
        } catch (IOException e) {
            throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: cannot load bootstrap "
                    + bootstrap + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes entries as {@code DELETE /api/v2/blobs?domain_id=&blob_id=} does (upstream's
     * {@code BlobCacheMgr::remove_blob_entry}): with an empty {@code blobId}, every entry of the
     * domain; else the entry {@code <domainId>/<blobId>}, which for a bootstrap also releases the
     * data blobs it named (those no other bootstrap of the domain names go), and for a data blob
     * drops one reference. Cache objects the kernel has open keep serving until closed.
     *
     * @throws BlobCacheException {@link BlobCacheException.Kind#NOT_FOUND}, with
     *     {@code blob_cache: cache entry not found}, when there is no such entry
     */
    public void remove(String domainId, String blobId) throws BlobCacheException {
        if (blobId.isEmpty() && !domainId.isEmpty()) {
            removeDomain(domainId);
            return;
        }
        String key = key(domainId, blobId);
        synchronized (this) {
            Bootstrap b = bootstraps.remove(key);
            if (b != null) {
                drop(b);
            } else if (dataBlobs.containsKey(key)) {
                release(key);
            } else {
                throw new BlobCacheException(BlobCacheException.Kind.NOT_FOUND,
                        "blob_cache: cache entry not found: " + key);
            }
        }
        LOG.info("blob_cache: unbound {}", key);
    }

    /** Removes every bootstrap entry of a domain; returns how many there were. */
    public int removeDomain(String domainId) {
        List<String> removed = new ArrayList<>();
        synchronized (this) {
            for (var it = bootstraps.entrySet().iterator(); it.hasNext();) {
                var e = it.next();
                if (e.getValue().entry.domainId().equals(domainId)) {
                    it.remove();
                    drop(e.getValue());
                    removed.add(e.getKey());
                }
            }
        }
        if (!removed.isEmpty()) {
            LOG.info("blob_cache: unbound domain {}: {}", domainId, removed);
        }
        return removed.size();
    }

    private void drop(Bootstrap b) {
        for (String dk : b.dataKeys) {
            release(dk);
        }
        b.storage.release();
    }

    /** Drops one reference to a data blob; the last one unregisters it. */
    private void release(String dataKey) {
        Data d = dataBlobs.get(dataKey);
        if (d != null && --d.refs == 0) {
            dataBlobs.remove(dataKey);
            d.storage.release();
        }
    }

    /** The bootstrap entries, in the order they were added (for saved state). */
    public synchronized List<BlobCacheEntry> entries() {
        List<BlobCacheEntry> out = new ArrayList<>();
        for (Bootstrap b : bootstraps.values()) {
            out.add(b.entry);
        }
        return out;
    }

    /** Whether an entry with this key exists (bootstrap or data blob). */
    public synchronized boolean contains(String domainId, String blobId) {
        String key = key(domainId, blobId);
        return bootstraps.containsKey(key) || dataBlobs.containsKey(key);
    }

    /**
     * The counters of one bound image: its blob cache (the data blobs it was first to name are
     * fetched through it) and its backend.
     */
    public record EntryMetrics(BlobCacheEntry entry, BlobcacheMetrics cache, Optional<BackendMetrics> backend) {
    }

    /** The counters of every bound image, in the order they were added. */
    public synchronized List<EntryMetrics> metrics() {
        List<EntryMetrics> out = new ArrayList<>();
        for (Bootstrap b : bootstraps.values()) {
            out.add(new EntryMetrics(b.entry, b.storage.cache().metrics(), b.storage.backend().metrics()));
        }
        return out;
    }

    /** Number of data blob entries (for metrics and tests). */
    public synchronized int dataBlobCount() {
        return dataBlobs.size();
    }

    /**
     * What the cookie of an OPEN names; a data blob comes with a reference to its storage, which the
     * caller releases.
     */
    synchronized Optional<CacheTarget> lookup(String domain, String cookie) {
        String key = key(domain, cookie);
        Bootstrap b = bootstraps.get(key);
        if (b != null) {
            return Optional.of(new CacheTarget.MetaBlob(key, b.path));
        }
        Data d = dataBlobs.get(key);
        if (d != null) {
            return Optional.of(new CacheTarget.DataBlob(key, d.blob, d.storage.retain()));
        }
        return Optional.empty();
    }

    static String key(String domainId, String id) {
        return domainId.isEmpty() ? id : domainId + BlobCacheEntry.ID_SPLITTER + id;
    }

    private void ensureOpen() throws BlobCacheException {
        if (closed) {
            throw new BlobCacheException(BlobCacheException.Kind.FAILED, "blob_cache: the daemon is stopping");
        }
    }

    /** Drops every entry; storages still used by open cache objects close with them. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Bootstrap b : bootstraps.values()) {
            drop(b);
        }
        bootstraps.clear();
    }
}
