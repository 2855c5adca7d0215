package dev.jnydus.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The example documents of spec 2.9 (and snapshotter-shaped ones) kept under test resources. */
final class Examples {
    static final String V1_REGISTRY = "v1-registry-blobcache.json";
    static final String V1_OSS = "v1-oss.json";
    static final String V2_TOML = "v2-registry-proxy.toml";
    static final String V2_S3 = "v2-s3-overlay.json";
    static final String ENTRY_LEGACY = "blob-entry-legacy.json";
    static final String ENTRY_V2 = "blob-entry-v2.json";
    static final String SNAPSHOTTER_FUSE = "snapshotter-fusedev.json";
    static final String SNAPSHOTTER_FSCACHE = "snapshotter-fscache-entry.json";

    static final List<String> CONFIGS = List.of(V1_REGISTRY, V1_OSS, V2_TOML, V2_S3, SNAPSHOTTER_FUSE);
    static final List<String> ENTRIES = List.of(ENTRY_LEGACY, ENTRY_V2, SNAPSHOTTER_FSCACHE);

    private Examples() {
    }

    static String text(String name) {
        try (InputStream in = Examples.class.getResourceAsStream("/examples/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no example " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
