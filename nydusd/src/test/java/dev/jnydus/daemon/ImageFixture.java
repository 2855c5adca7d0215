package dev.jnydus.daemon;

import dev.jnydus.testkit.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * One of the upstream-built images in {@code ../shared/fixtures}: its bootstrap, its blob
 * directory and the md5 of every regular file (from {@code md5.txt} or {@code tree.json}).
 */
record ImageFixture(String name, Path bootstrap, Path blobs, Map<String, String> md5s) {
    static final String V5_SHA256 = Fixtures.V5_SHA256_NOCOMPRESS;
    static final String V5_BLAKE3 = "upstream-v5-blake3-nocompress";
    static final String V6_ZSTD = "upstream-v6-zstd-blake3";

    static ImageFixture load(String name) throws IOException {
        Path dir = Fixtures.dir(name);
        Path list = Files.exists(dir.resolve("md5.txt")) ? dir.resolve("md5.txt") : dir.resolve("tree.json");
        Map<String, String> md5s = new TreeMap<>();
        for (String line : Files.readAllLines(list)) {
            if (line.matches("[0-9a-f]{32}  /.*")) {
                md5s.put(line.substring(34), line.substring(0, 32));
            }
        }
        if (md5s.isEmpty()) {
            throw new IOException("no md5 lines in " + list);
        }
        return new ImageFixture(name, dir.resolve("bootstrap"), dir.resolve("blobs"), md5s);
    }

    /** A v2 configuration: localfs blobs from the fixture, a blob cache in {@code workDir}. */
    String config(Path workDir, String id) {
        return "{\"version\":2,\"id\":\"" + id + "\",\"backend\":{\"type\":\"localfs\",\"localfs\":{\"dir\":\"" + blobs
                + "\"}},\"cache\":{\"type\":\"blobcache\",\"filecache\":{\"work_dir\":\"" + workDir
                + "\"}},\"rafs\":{\"mode\":\"direct\",\"iostats_files\":true,\"access_pattern\":true,"
                + "\"latest_read_files\":true}}";
    }
}
