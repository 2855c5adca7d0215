package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.builder.BuildOutputs;
import dev.jnydus.builder.BuildProgress;
import dev.jnydus.builder.BuildResult;
import dev.jnydus.builder.ImageBuilder;
import dev.jnydus.testkit.registry.RegistryServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An image made by the project's builder ({@code nydus-image create} without the CLI) for the
 * remote-backend tests: the bootstrap, the one data blob and its id, which is the blob's sha256 and
 * so also its digest in a registry.
 *
 * @param chunks chunks stored in the blob
 */
record BuiltImage(Path bootstrap, Path blob, String blobId, int chunks) {

    /** Builds {@code src} into {@code dir} ({@code <name>.boot}, blobs in {@code <name>-blobs/}). */
    static BuiltImage build(Path src, Path dir, String name, BuildOptions options) throws IOException {
        Path blobs = Files.createDirectories(dir.resolve(name + "-blobs"));
        Path boot = dir.resolve(name + ".boot");
        BuildResult r = new ImageBuilder(options, BuildProgress.NONE, 2).create(src, BuildOutputs.toDir(boot, blobs));
        assertThat(r.blob()).as("the build wrote a data blob").isNotNull();
        assertThat(r.blobIds()).hasSize(1);
        return new BuiltImage(boot, r.blob(), r.blobIds().get(0), r.chunks());
    }

    /** Pushes the blob to {@code repo} of {@code reg}; its registry digest is the blob id. */
    BuiltImage pushTo(RegistryServer reg, String repo) throws IOException {
        assertThat(reg.pushBlob(repo, blob)).as("registry digest of the blob").isEqualTo(blobId);
        return this;
    }
}
