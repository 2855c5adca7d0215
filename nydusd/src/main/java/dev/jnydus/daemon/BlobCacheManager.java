package dev.jnydus.daemon;

import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.config.CacheConfig;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The blob cache manager of {@code nydusd singleton} (upstream's BlobCacheMgr, spec 2.6): the
 * entries {@code PUT /api/v2/blobs} and the singleton's {@code --config} add, keyed
 * {@code domain_id/id}. A bootstrap entry registers every data blob its RAFS v6 bootstrap
 * references, reference-counted within the domain, so that two images of one domain share them.
 *
 * <p>This is the registry only; serving the blobs to the kernel (the fscache driver of
 * {@code singleton --fscache}) consumes {@link #entries()} and {@link #dataBlobs()}.
 * Messages carry upstream's {@code blob_cache:} texts, which clients match.
 */
public final class BlobCacheManager {
    /** Text a client matches when the entry it removes is not there (spec 8). */
    public static final String NOT_FOUND = "blob_cache: cache entry not found";

    /** A data blob registered by one or more bootstrap entries of its domain. */
    public record DataBlob(String key, String blobId, String domainId, int references) {
    }

    private final Map<String, BlobCacheEntry> bootstraps = new LinkedHashMap<>();
    /** Data blob key → (entry key of each bootstrap referencing it). */
    private final Map<String, List<String>> dataRefs = new LinkedHashMap<>();
    private final Map<String, List<String>> dataOfBootstrap = new LinkedHashMap<>();

    /** Adds an entry after upstream's checks; nothing changes when one fails. */
    public synchronized void add(BlobCacheEntry entry) throws DaemonException {
        if (BlobCacheEntry.TYPE_DATABLOB.equals(entry.type())) {
            throw DaemonException.other("blob_cache: invalid data blob cache entry: " + entry.key()
                    + " (only bootstrap entries can be added)");
        }
        if (!entry.isBootstrap()) {
            throw DaemonException.other("blob_cache: invalid blob cache entry, type " + entry.type());
        }
        if (entry.blobId().isEmpty() || entry.blobId().contains(BlobCacheEntry.ID_SPLITTER)) {
            throw DaemonException.other("blob_cache: `blob_id` for meta blob is invalid: " + entry.blobId());
        }
        if (entry.domainId().contains(BlobCacheEntry.ID_SPLITTER)) {
            throw DaemonException.other("blob_cache: `domain_id` for meta blob is invalid: " + entry.domainId());
        }
        String metadata = entry.config().metadataPath().orElse("");
        if (metadata.isEmpty()) {
            throw DaemonException.other("blob_cache: `config.metadata_path` for meta blob is empty");
        }
        Path meta = Path.of(metadata);
        if (!Files.exists(meta)) {
            throw DaemonException.other("blob_cache: `config.metadata_path=" + metadata + "` for meta blob is invalid");
        }
        if (!Files.isRegularFile(meta)) {
            throw DaemonException.other("blob_cache: `config.metadata_path` for meta blob is not a file");
        }
        CacheConfig cache = entry.config().cache();
        if (cache.kind() == CacheConfig.Kind.DUMMY) {
            throw DaemonException.other("blob_cache: unknown cache type " + cache.type());
        }
        Optional<String> workDir = cache.workDir();
        if (workDir.isEmpty() || !Files.isDirectory(Path.of(workDir.get()))) {
            throw DaemonException.other("blob_cache: `config.cache_config.work_dir` is not a directory: "
                    + workDir.orElse(""));
        }
        if (bootstraps.containsKey(entry.key())) {
            throw DaemonException.other("blob_cache: bootstrap blob already exists: " + entry.key());
        }
        List<String> blobIds = new ArrayList<>();
        try (RafsSuper sb = RafsSuper.open(meta)) {
            if (sb.version() != RafsVersion.V6) {
                throw DaemonException.other("blob_cache: RAFSv5 image is not supported");
            }
            for (BlobInfo b : sb.blobs()) {
                blobIds.add(b.blobId());
            }
        } catch (IOException e) {
            throw DaemonException.other("blob_cache: failed to open metadata blob " + metadata + ": "
                    + e.getMessage(), e);
        }
        bootstraps.put(entry.key(), entry);
        List<String> keys = new ArrayList<>();
        for (String id : blobIds) {
            String key = key(entry.domainId(), id);
            dataRefs.computeIfAbsent(key, k -> new ArrayList<>()).add(entry.key());
            keys.add(key);
        }
        dataOfBootstrap.put(entry.key(), keys);
    }

    /**
     * Removes every entry of {@code domainId} when {@code blobId} is empty, else the one entry
     * (a bootstrap also releases its data blobs).
     *
     * @throws DaemonException with {@link #NOT_FOUND} when that entry does not exist
     */
    public synchronized void remove(String domainId, String blobId) throws DaemonException {
        if (blobId.isEmpty() && !domainId.isEmpty()) {
            String prefix = domainId + BlobCacheEntry.ID_SPLITTER;
            for (String k : List.copyOf(bootstraps.keySet())) {
                if (k.startsWith(prefix)) {
                    removeBootstrap(k);
                }
            }
            dataRefs.keySet().removeIf(k -> k.startsWith(prefix));
            return;
        }
        String key = key(domainId, blobId);
        if (bootstraps.containsKey(key)) {
            removeBootstrap(key);
            return;
        }
        List<String> refs = dataRefs.get(key);
        if (refs == null) {
            throw DaemonException.other(NOT_FOUND + ": " + key);
        }
        refs.remove(refs.size() - 1);
        if (refs.isEmpty()) {
            dataRefs.remove(key);
        }
    }

    private void removeBootstrap(String key) {
        bootstraps.remove(key);
        for (String data : dataOfBootstrap.getOrDefault(key, List.of())) {
            List<String> refs = dataRefs.get(data);
            if (refs != null) {
                refs.remove(key);
                if (refs.isEmpty()) {
                    dataRefs.remove(data);
                }
            }
        }
        dataOfBootstrap.remove(key);
    }

    private static String key(String domainId, String blobId) {
        return domainId.isEmpty() ? blobId : domainId + BlobCacheEntry.ID_SPLITTER + blobId;
    }

    /** The bootstrap entries, in the order they were added. */
    public synchronized List<BlobCacheEntry> entries() {
        return List.copyOf(bootstraps.values());
    }

    /** The data blobs the bootstrap entries registered. */
    public synchronized List<DataBlob> dataBlobs() {
        List<DataBlob> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : dataRefs.entrySet()) {
            String k = e.getKey();
            int slash = k.indexOf(BlobCacheEntry.ID_SPLITTER);
            String domain = slash < 0 ? "" : k.substring(0, slash);
            String id = slash < 0 ? k : k.substring(slash + 1);
            out.add(new DataBlob(k, id, domain, e.getValue().size()));
        }
        return out;
    }
}
