package dev.jnydus.fscache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a restarted fscache daemon needs to carry on (spec nydusd-interface 4.5, fscache row): the
 * cache directory, tag and thread count, and the bound blob cache entries. A supervisor keeps it
 * (opaque bytes) with a duplicate of the {@code /dev/cachefiles} fd; the new daemon re-adds the
 * entries, takes the fd over and writes {@code restore}.
 *
 * <p>Upstream serialises this with its own binary format, so a Rust daemon's state cannot be read
 * here (nor ours there); this is JSON with a version field.
 */
public record FsCacheState(String fscacheDir, Optional<String> tag, int threads, List<BlobCacheEntry> blobs) {
    static final int VERSION = 1;
    static final String KIND = "fscache";
    private static final ObjectMapper JSON = new ObjectMapper();

    public FsCacheState {
        Objects.requireNonNull(fscacheDir, "fscacheDir");
        Objects.requireNonNull(tag, "tag");
        blobs = List.copyOf(blobs);
    }

    public byte[] toBytes() {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", KIND);
        o.put("version", VERSION);
        o.put("fscache_dir", fscacheDir);
        if (tag.isPresent()) {
            o.put("fscache_tag", tag.get());
        } else {
            o.putNull("fscache_tag");
        }
        o.put("fscache_threads", threads);
        ArrayNode a = o.putArray("blobs");
        try {
            for (BlobCacheEntry e : blobs) {
                a.add(JSON.readTree(e.toJson()));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a blob cache entry wrote invalid JSON", e);
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads state written by {@link #toBytes}; anything else is refused with the reason. */
    public static FsCacheState parse(byte[] bytes) throws IOException {
        JsonNode o;
        try {
            o = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IOException("saved fscache state is not JSON: " + e.getMessage(), e);
        }
        if (o == null || !o.isObject() || !KIND.equals(o.path("kind").asText())) {
            throw new IOException("saved state is not an fscache daemon's");
        }
        if (o.path("version").asInt() != VERSION) {
            throw new IOException("saved fscache state has version " + o.path("version") + ", this daemon reads "
                    + VERSION);
        }
        JsonNode dir = o.path("fscache_dir");
        if (!dir.isTextual()) {
            throw new IOException("saved fscache state has no fscache_dir");
        }
        JsonNode tag = o.path("fscache_tag");
        List<BlobCacheEntry> blobs = new ArrayList<>();
        for (JsonNode e : o.path("blobs")) {
            try {
                blobs.add(BlobCacheEntry.parse(e.toString()));
            } catch (ConfigException ce) {
                throw new IOException("saved fscache state has an unreadable blob entry: " + ce.getMessage(), ce);
            }
        }
        return new FsCacheState(dir.asText(), tag.isTextual() ? Optional.of(tag.asText()) : Optional.empty(),
                o.path("fscache_threads").asInt(FsCacheService.DEFAULT_THREADS), blobs);
    }
}
