package dev.jnydus.builder;

import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Hex;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code nydus-image create}: builds one RAFS image (bootstrap plus one data blob) from a
 * directory, a tar or a tar.gz. The steps follow upstream's {@code DirectoryBuilder} and
 * {@code TarballBuilder}: build the tree, lay the bootstrap out, dump file data into the blob
 * (prefetch files first), append the blob meta and ToC, name the blob by its id, write the
 * bootstrap. Outputs appear only when everything succeeded.
 */
public final class ImageBuilder {
    private final BuildOptions options;
    private final BuildProgress progress;
    private final int threads;

    /** A builder that digests and compresses on one thread per available processor. */
    public ImageBuilder(BuildOptions options, BuildProgress progress) {
        this(options, progress, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param threads threads that digest and compress chunks ahead of the writer (directory
     *     sources); the output does not depend on it
     */
    public ImageBuilder(BuildOptions options, BuildProgress progress, int threads) {
        this.options = options.validate();
        this.progress = progress == null ? BuildProgress.NONE : progress;
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.threads = threads;
    }

    public BuildResult create(Path source, BuildOutputs outputs) throws IOException {
        try (OutputFiles files = new OutputFiles()) {
            Path blobTemp = files.temp(outputs.blobFile() != null ? parentOf(outputs.blobFile()) : outputs.blobDir());
            Path bootTemp = files.temp(outputs.bootstrap() != null ? parentOf(outputs.bootstrap()) : outputs.blobDir());
            ChunkDict dict = new ChunkDict();
            List<BlobEntry> parentBlobs = new ArrayList<>();
            Tree parent = options.parentBootstrap() == null ? null : loadParent(parentBlobs, dict);
            List<BlobEntry> dictBlobs = new ArrayList<>();
            ChunkDict chunkDict = options.chunkDict() == null ? null : loadChunkDict(dictBlobs);
            BlobTable table = new BlobTable(parentBlobs, dictBlobs);
            int layer = parent == null ? 0 : 1;
            Tree tree;
            BlobEntry blob;
            long dataBytes;
            BootstrapLayout layout;
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "nydus-image-chunk");
                t.setDaemon(true);
                return t;
            });
            try (BlobWriter writer = new BlobWriter(blobTemp, options)) {
                CountingProgress counting = new CountingProgress(progress);
                ChunkDumper dumper = new ChunkDumper(options, writer, table, dict, chunkDict, counting, pool);
                if (options.type() == SourceType.DIRECTORY) {
                    tree = overlay(parent, new DirectoryScanner(options, counting, layer).scan(source));
                    layout = layout(tree);
                    dumpDirectoryData(layout, dumper, pool);
                } else {
                    tree = overlay(parent, new TarScanner(options, dumper, counting, layer).scan(source));
                    layout = layout(tree);
                }
                dataBytes = counting.bytes;
                blob = writer.chunkCount() > 0 ? writer.finish(options.blobId()) : null;
            } finally {
                pool.shutdownNow();
            }
            if (blob != null) {
                table.setNewBlob(blob);
            }
            List<BlobEntry> blobs = table.entries();
            String bootDigest = writeBootstrap(bootTemp, tree, layout, blobs, options.explicitUidGid(),
                    options.compressor(), options.digester());

            Path blobPath = null;
            if (blob == null) {
                files.discard(blobTemp);
            } else {
                blobPath = outputs.blobFile() != null ? outputs.blobFile() : outputs.blobDir().resolve(blob.blobId());
                files.commit(blobTemp, blobPath);
            }
            Path bootPath = outputs.bootstrap() != null ? outputs.bootstrap() : outputs.blobDir().resolve(bootDigest);
            files.commit(bootTemp, bootPath);
            return new BuildResult(bootPath, blobIds(blobs), blobPath, layout.indexCount(), dataBytes,
                    blob == null ? 0 : blob.chunkCount(), blob == null ? 0 : blob.compressedSize());
        } finally {
            progress.done();
        }
    }

    /**
     * Loads the parent image (upstream {@code Bootstrap::load_parent_bootstrap}): its blobs come
     * first in the blob table and its chunks seed the dictionary, so data the parent already
     * stores is referenced, not stored again.
     */
    private Tree loadParent(List<BlobEntry> blobs, ChunkDict dict) throws IOException {
        Path p = options.parentBootstrap();
        try (RafsSuper rs = RafsSuper.open(p)) {
            int version = rs.version() == RafsVersion.V5 ? 5 : rs.version() == RafsVersion.V6 ? 6 : 0;
            if (version != options.fsVersion() || rs.chunkSize() != options.chunkSize()
                    || rs.digester() != options.digester() || rs.compressor() != options.compressor()
                    || rs.explicitUidGid() != options.explicitUidGid()) {
                throw new BuildException(p + ": parent bootstrap is incompatible: v" + version + ", chunk size 0x"
                        + Integer.toHexString(rs.chunkSize()) + ", " + rs.digester() + ", " + rs.compressor()
                        + ", explicit uid/gid " + rs.explicitUidGid() + "; this build: v" + options.fsVersion()
                        + ", chunk size 0x" + Integer.toHexString(options.chunkSize()) + ", " + options.digester() + ", "
                        + options.compressor() + ", explicit uid/gid " + options.explicitUidGid());
            }
            Tree t = loadLower(rs, p, blobs);
            dict.putAll(t);
            return t;
        }
    }

    /** The chunks of a chunk-dictionary bootstrap, with their blobs (upstream {@code HashChunkDict}). */
    private ChunkDict loadChunkDict(List<BlobEntry> dictBlobs) throws IOException {
        Path p = options.chunkDict();
        try (RafsSuper rs = RafsSuper.open(p)) {
            if (rs.chunkSize() != options.chunkSize() || rs.digester() != options.digester()
                    || rs.compressor() != options.compressor()) {
                throw new BuildException(p + ": chunk dictionary is incompatible: chunk size 0x"
                        + Integer.toHexString(rs.chunkSize()) + ", " + rs.digester() + ", " + rs.compressor()
                        + "; this build: chunk size 0x" + Integer.toHexString(options.chunkSize()) + ", "
                        + options.digester() + ", " + options.compressor());
            }
            ChunkDict d = new ChunkDict();
            d.putAll(loadLower(rs, p, dictBlobs));
            return d;
        }
    }

    /**
     * The tree of an image whose data is already stored ({@link Overlay#LOWER}), its chunks
     * numbering its blobs as {@code rs} does; those blobs are appended to {@code blobs}, which
     * must be empty.
     */
    private static Tree loadLower(RafsSuper rs, Path p, List<BlobEntry> blobs) throws BuildException {
        List<BlobInfo> infos = rs.blobs();
        int[] map = new int[infos.size()];
        for (int i = 0; i < infos.size(); i++) {
            blobs.add(BootstrapTreeLoader.entry(infos.get(i)));
            map[i] = i;
        }
        return new BootstrapTreeLoader(rs, 0, map, p.toString(), Overlay.LOWER).load();
    }

    private Tree overlay(Tree parent, Tree upper) throws BuildException {
        if (parent == null) {
            return upper;
        }
        new OverlayMerge(options.whiteoutSpec()).merge(parent, upper);
        return parent;
    }

    private BootstrapLayout layout(Tree tree) throws BuildException {
        BootstrapLayout layout = new BootstrapLayout(options.fsVersion() == 6, options.chunkSize(),
                new Prefetch(options.prefetchPatterns()));
        layout.build(tree);
        return layout;
    }

    /** Dumps regular files in upstream's blob order; later hard links reuse the first link's chunks. */
    private void dumpDirectoryData(BootstrapLayout layout, ChunkDumper dumper, ExecutorService pool)
            throws IOException {
        List<Node> order = layout.prefetch.dumpOrder();
        List<Node> toRead = new ArrayList<>();
        Map<List<Long>, Node> firstLink = new HashMap<>();
        long total = 0;
        for (Node n : order) {
            if (n.isReg() && n.overlay.isUpper()
                    && firstLink.putIfAbsent(List.of((long) n.layer, n.srcIno, n.srcDev), n) == null) {
                toRead.add(n);
                total += n.size;
            }
        }
        progress.scanned(order.size(), total);
        try (ChunkPipeline pipeline = new ChunkPipeline(options, pool, toRead)) {
            for (Node n : order) {
                if (!n.isReg() || !n.overlay.isUpper()) {
                    continue;
                }
                Node first = firstLink.get(List.of((long) n.layer, n.srcIno, n.srcDev));
                if (first != n) {
                    n.chunks = new ArrayList<>(first.chunks);
                    continue;
                }
                dumper.dumpFile(n, pipeline);
            }
        }
    }

    /**
     * Writes the bootstrap (v5 or v6, as laid out) to {@code file} and returns its SHA-256 in hex,
     * computed on the way out: an output named by it needs no second read of the file.
     */
    static String writeBootstrap(Path file, Tree tree, BootstrapLayout layout, List<BlobEntry> blobs,
            boolean explicitUidGid, Compressor compressor, Digester digester) throws IOException {
        MessageDigest md = ChunkDigest.sha256();
        try (OutputStream out = new BufferedOutputStream(new DigestOutputStream(Files.newOutputStream(file), md),
                1 << 20)) {
            if (layout.v6()) {
                new V6Writer(layout, blobs, explicitUidGid, compressor, digester, layout.chunkSize()).write(tree, out);
            } else {
                new V5Writer(layout, blobs, explicitUidGid, compressor, digester, layout.chunkSize()).write(tree, out);
            }
        }
        return Hex.of(md.digest());
    }

    static List<String> blobIds(List<BlobEntry> blobs) {
        return blobs.stream().map(BlobEntry::blobId).toList();
    }

    static Path parentOf(Path p) {
        Path parent = p.toAbsolutePath().getParent();
        return parent == null ? Path.of("/") : parent;
    }

    /** Counts bytes for the result while passing events on. */
    private static final class CountingProgress implements BuildProgress {
        private final BuildProgress next;
        long bytes;

        CountingProgress(BuildProgress next) {
            this.next = next;
        }

        @Override
        public void scanned(long entries, long totalBytes) {
            next.scanned(entries, totalBytes);
        }

        @Override
        public void entryScanned() {
            next.entryScanned();
        }

        @Override
        public void dataRead(long b) {
            bytes += b;
            next.dataRead(b);
        }
    }
}
