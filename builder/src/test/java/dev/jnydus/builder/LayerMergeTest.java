package dev.jnydus.builder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.common.Compressor;
import dev.jnydus.rafs.metadata.FileExtent;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.testkit.Privileged;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, check 3: a two-layer image with deletions, an opaque directory, a replaced directory
 * and a modified file, built from OCI layer tars and merged, presents exactly the tree overlayfs
 * presents for the same layers (extracted, whiteouts converted to overlayfs form). The merged v6
 * image is mounted by the kernel with both blobs as devices; the merged v5 image is read with the
 * project's reader. A chunk stored by both layers is referenced from the lower blob only.
 */
@Tag("privileged")
class LayerMergeTest {
    @TempDir
    Path tmp;

    private static final byte[] SHARED = random(2 << 20, 7);

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void lower(Path file, boolean gzip) throws IOException {
        try (TarLayer t = new TarLayer(file, gzip)) {
            t.dir("./").dir("etc").file("etc/config", "version 1\n").file("etc/keep", "keep me\n")
                    .hardlink("etc/hard", "etc/keep")
                    .dir("data").file("data/a", "a\n").file("data/b", "b\n").dir("data/sub").file("data/sub/c", "c\n")
                    .dir("opaque").file("opaque/old1", "old\n").dir("opaque/olddir").file("opaque/olddir/x", "x\n")
                    .file("gone", "bye\n").dir("gonedir").file("gonedir/f", "f\n")
                    .symlink("link", "etc/config")
                    .file("big", random(3 << 20, 1), 0600, 1000, 1000)
                    .file("dup", SHARED)
                    .fileWithXattr("attr", "with xattr\n", "user.origin", "lower")
                    .fifo("fifo").charDevice("null", 1, 3);
        }
    }

    private void upper(Path file, boolean gzip) throws IOException {
        try (TarLayer t = new TarLayer(file, gzip)) {
            t.dir("./").file(".wh.gone", new byte[0]).file(".wh.gonedir", new byte[0])
                    .dir("opaque").file("opaque/.wh..wh..opq", new byte[0]).file("opaque/new", "new\n")
                    .dir("etc").file("etc/config", "version 2\n")
                    .dir("data").file("data/.wh.a", new byte[0]).file("data/sub", "now a file\n")
                    .dir("newdir").file("newdir/file", "fresh\n")
                    .file("dup2", SHARED)
                    .fileWithXattr("attr", "changed\n", "user.origin", "upper");
        }
    }

    private BuildResult layer(Path tar, Path out, BuildOptions o) throws IOException {
        Files.createDirectories(out);
        return new ImageBuilder(o.withType(SourceType.TARGZ), null).create(tar, BuildOutputs.toDir(out.resolve("boot"), out));
    }

    @Test
    void mergedImageShowsWhatOverlayfsShows() throws Exception {
        Privileged.requireRoot();
        Privileged.requireTool("losetup");
        Privileged.requireTool("setfattr");
        Privileged.require(Files.readString(Path.of("/proc/filesystems")).contains("overlay"),
                "needs overlayfs in the kernel");
        Path l1 = tmp.resolve("l1.tar.gz");
        Path l2 = tmp.resolve("l2.tar");
        lower(l1, true);
        upper(l2, false);

        // The reference: the layers extracted and stacked by overlayfs.
        Path x1 = extract(l1, tmp.resolve("x1"));
        Path x2 = toOverlayfsForm(extract(l2, tmp.resolve("x2")));

        // v6, uncompressed and aligned so the kernel can mount the merged image.
        BuildOptions v6 = BuildOptions.defaults().withCompressor(Compressor.NONE).withAlignedChunk(true);
        BuildResult b1 = layer(l1, tmp.resolve("b1"), v6);
        BuildResult b2 = layer(l2, tmp.resolve("b2"), v6);
        Path merged = tmp.resolve("merged.boot");
        BuildResult m = new ImageMerger(MergeOptions.defaults()).merge(List.of(b1.bootstrap(), b2.bootstrap()), merged);
        // Blobs are numbered in order of first use in the merged tree, as upstream does.
        assertThat(m.blobIds()).containsExactlyInAnyOrder(b1.blobIds().get(0), b2.blobIds().get(0));
        List<Path> devices = new ArrayList<>();
        for (String id : m.blobIds()) {
            devices.add(id.equals(b1.blobIds().get(0)) ? b1.blob() : b2.blob());
        }

        try (KernelMounts k = new KernelMounts()) {
            Path ovl = k.mountOverlay(List.of(x2, x1), tmp.resolve("ovl"));
            TreeSnapshot want = TreeSnapshot.ofDirectory(ovl);
            assertThat(want.entries).containsKeys("/opaque/new", "/data/sub", "/dup2").doesNotContainKeys("/gone",
                    "/gonedir", "/opaque/old1", "/data/a", "/data/sub/c", "/.wh.gone", "/opaque/.wh..wh..opq");
            Path mnt = k.mountErofs(merged, devices, tmp.resolve("mnt"));
            want.assertSameAs(TreeSnapshot.ofDirectory(mnt), TreeSnapshot.Compare.image().withoutDirNlink());

            // v5 and compressed: the same tree through the project's reader.
            BuildOptions v5 = BuildOptions.defaults().withFsVersion(5);
            BuildResult c1 = layer(l1, tmp.resolve("c1"), v5);
            BuildResult c2 = layer(l2, tmp.resolve("c2"), v5);
            Path blobs = Files.createDirectories(tmp.resolve("blobs"));
            Files.copy(c1.blob(), blobs.resolve(c1.blob().getFileName()));
            Files.copy(c2.blob(), blobs.resolve(c2.blob().getFileName()));
            Path merged5 = tmp.resolve("merged5.boot");
            new ImageMerger(MergeOptions.defaults()).merge(List.of(c1.bootstrap(), c2.bootstrap()), merged5);
            want.assertSameAs(TreeSnapshot.ofImage(merged5, blobs), TreeSnapshot.Compare.image().withoutDirNlink());
        }

        // /dup2's data is stored by both layers; the merged image reads it from the lower blob.
        try (RafsSuper sb = RafsSuper.open(merged)) {
            RafsInode dup2 = sb.lookup(sb.inode(sb.rootIno()), "dup2".getBytes(StandardCharsets.UTF_8));
            assertThat(dup2.extents(0, dup2.size())).isNotEmpty().allSatisfy(e -> assertThat(
                    sb.blobs().get(((FileExtent.Chunk) e).chunk().blobIndex()).blobId()).isEqualTo(b1.blobIds().get(0)));
        }
    }

    private static Path extract(Path tar, Path dir) throws Exception {
        Files.createDirectories(dir);
        Privileged.run("tar", "--xattrs", "--xattrs-include=*", "-xpf", tar.toString(), "-C", dir.toString());
        return dir;
    }

    /** OCI whiteouts to overlayfs ones: {@code .wh.X} becomes a 0:0 char device X, opaque markers an xattr. */
    private static Path toOverlayfsForm(Path dir) throws Exception {
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = new ArrayList<>(s.toList());
        }
        List<Path> touched = new ArrayList<>();
        for (Path p : all) {
            String name = p.getFileName().toString();
            if (name.equals(Whiteouts.OCI_OPAQUE)) {
                Files.delete(p);
                Privileged.run("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", p.getParent().toString());
                touched.add(p.getParent());
            } else if (name.startsWith(Whiteouts.OCI_PREFIX)) {
                Files.delete(p);
                Path target = p.resolveSibling(name.substring(Whiteouts.OCI_PREFIX.length()));
                Privileged.run("mknod", target.toString(), "c", "0", "0");
                touched.add(p.getParent());
            }
        }
        // Converting changed directory mtimes; put back the layer's.
        for (Path d : touched) {
            Privileged.run("touch", "-h", "-d", "@" + TarLayer.MTIME, d.toString());
        }
        return dir;
    }
}
