package dev.jnydus.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --config} file of {@code nydusd singleton}: a JSON document whose optional
 * {@code blobs} array lists blob cache entries to create at startup; other keys are ignored.
 *
 * <p>Upstream silently skips a {@code blobs} list that does not deserialize and does not convert
 * legacy entries on this path (they then fail to be added); here a bad list is an error and
 * legacy entries are converted as for the API.
 */
public final class SingletonConfig {
    private SingletonConfig() {
    }

    public static List<BlobCacheEntry> parse(String text) throws ConfigException {
        JsonNode tree = ConfigParser.parseJson(text);
        if (!tree.isObject() || !tree.has("blobs")) {
            return List.of();
        }
        JsonFields root = JsonFields.of(tree, "");
        List<BlobCacheEntry> out = new ArrayList<>();
        for (JsonFields e : root.objectList("blobs", true)) {
            out.add(BlobCacheEntry.read(e));
        }
        return List.copyOf(out);
    }

    public static List<BlobCacheEntry> load(Path file) throws ConfigException {
        return parse(ConfigFiles.read(file));
    }
}
