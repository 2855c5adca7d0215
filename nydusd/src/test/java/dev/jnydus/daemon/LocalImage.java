package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.builder.cli.NydusImageCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image built by the project's {@code nydus-image create} into a local blob directory, and the
 * v1 configuration (as nydus-snapshotter writes it) that mounts it over a blob cache.
 */
final class LocalImage {
    private LocalImage() {
    }

    /** Builds {@code src} into {@code boot} and {@code blobs} with the extra {@code create} flags. */
    static void build(Path src, Path boot, Path blobs, String... flags) throws IOException {
        Files.createDirectories(blobs);
        List<String> args = new ArrayList<>(List.of("create", "--bootstrap", boot.toString(), "--blob-dir",
                blobs.toString()));
        args.addAll(List.of(flags));
        args.add(src.toString());
        StringWriter err = new StringWriter();
        int rc = NydusImageCli.run(args.toArray(new String[0]), new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertThat(rc).as("nydus-image create: %s", err).isZero();
    }

    /** Writes a config reading {@code blobs} through a blobcache in {@code cacheDir}. */
    static Path blobcacheConfig(Path cfg, Path blobs, Path cacheDir, boolean digestValidate) throws IOException {
        Files.writeString(cfg, "{\"device\":{\"backend\":{\"type\":\"localfs\",\"config\":{\"dir\":\"" + blobs
                + "\"}},\"cache\":{\"type\":\"blobcache\",\"config\":{\"work_dir\":\"" + cacheDir + "\"}}},"
                + "\"mode\":\"direct\",\"digest_validate\":" + digestValidate + "}");
        return cfg;
    }
}
