package dev.jnydus.builder;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.RafsVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nydus-image merge}: overlays per-layer bootstraps, lowest first, into one image bootstrap
 * whose chunks point into the layers' blobs (upstream {@code builder/src/merge.rs}). Layers must
 * agree on version, chunk size, digester, compressor and uid/gid handling. Only blobs still
 * referenced after whiteouts stay in the blob table, in order of first use.
 */
public final class ImageMerger {
    private final MergeOptions options;

    public ImageMerger(MergeOptions options) {
        this.options = options;
    }

    public BuildResult merge(List<Path> sources, Path output) throws IOException {
        return merge(sources, output, null);
    }

    /**
     * Merges into {@code output}, or when it is {@code null} into a file of {@code outputDir}
     * named by the SHA-256 of the merged bootstrap.
     */
    public BuildResult merge(List<Path> sources, Path output, Path outputDir) throws IOException {
        if (output == null && outputDir == null) {
            throw new IllegalArgumentException("no output path for the merged bootstrap");
        }
        if (sources.isEmpty()) {
            throw new BuildException("source bootstrap list is empty, at least one bootstrap is required");
        }
        if (options.blobDigests() != null && options.blobDigests().size() != sources.size()) {
            throw new BuildException("number of blob digest entries " + options.blobDigests().size()
                    + " doesn't match number of sources " + sources.size());
        }
        Tree tree = null;
        List<BlobEntry> allBlobs = new ArrayList<>();
        Map<String, Integer> blobIndexById = new HashMap<>();
        RafsVersion version = null;
        int chunkSize = 0;
        Digester digester = null;
        Compressor compressor = null;
        Boolean explicitUidGid = null;
        OverlayMerge overlay = new OverlayMerge(options.whiteoutSpec());
        for (int layer = 0; layer < sources.size(); layer++) {
            Path src = sources.get(layer);
            try (RafsSuper rs = RafsSuper.open(src)) {
                if (rs.version() == RafsVersion.EROFS) {
                    throw new BuildException(src + ": a plain EROFS image is not a RAFS layer bootstrap");
                }
                if (version == null) {
                    version = rs.version();
                    chunkSize = rs.chunkSize();
                    digester = rs.digester();
                    compressor = rs.compressor();
                    explicitUidGid = rs.explicitUidGid();
                } else if (version != rs.version() || chunkSize != rs.chunkSize() || digester != rs.digester()
                        || compressor != rs.compressor() || explicitUidGid != rs.explicitUidGid()) {
                    throw new BuildException(src + ": incompatible with the layers below: " + rs.version() + "/0x"
                            + Integer.toHexString(rs.chunkSize()) + "/" + rs.digester() + "/" + rs.compressor()
                            + "/explicit-uid-gid=" + rs.explicitUidGid() + " vs " + version + "/0x"
                            + Integer.toHexString(chunkSize) + "/" + digester + "/" + compressor
                            + "/explicit-uid-gid=" + explicitUidGid);
                }
                List<BlobInfo> blobs = rs.blobs();
                int[] map = new int[blobs.size()];
                for (int i = 0; i < blobs.size(); i++) {
                    BlobEntry e = BootstrapTreeLoader.entry(blobs.get(i));
                    if (options.blobDigests() != null && blobs.size() == 1) {
                        e = e.withBlobId(options.blobDigests().get(layer));
                    }
                    Integer idx = blobIndexById.get(e.blobId());
                    if (idx == null) {
                        idx = allBlobs.size();
                        allBlobs.add(e);
                        blobIndexById.put(e.blobId(), idx);
                    }
                    map[i] = idx;
                }
                Tree upper = new BootstrapTreeLoader(rs, layer, map, src.toString(), Overlay.UPPER_ADDITION).load();
                if (tree == null) {
                    tree = upper;
                } else {
                    overlay.merge(tree, upper);
                }
            }
        }
        if (options.dedupAcrossLayers()) {
            dedup(tree);
        }
        // Keep only the blobs still referenced, numbered in order of first use.
        Map<Integer, Integer> used = new LinkedHashMap<>();
        List<BlobEntry> blobs = new ArrayList<>();
        tree.walkBfs(t -> {
            List<Chunk> cs = t.node.chunks;
            for (int i = 0; i < cs.size(); i++) {
                Chunk c = cs.get(i);
                Integer ni = used.get(c.blobIndex());
                if (ni == null) {
                    ni = blobs.size();
                    used.put(c.blobIndex(), ni);
                    blobs.add(allBlobs.get(c.blobIndex()));
                }
                if (ni != c.blobIndex()) {
                    cs.set(i, c.withBlobIndex(ni));
                }
            }
        });
        BootstrapLayout layout = new BootstrapLayout(version == RafsVersion.V6, chunkSize, new Prefetch(options.prefetchPatterns()));
        layout.build(tree);
        Path target;
        try (OutputFiles files = new OutputFiles()) {
            Path tmp = files.temp(output != null ? ImageBuilder.parentOf(output) : outputDir);
            String digest = ImageBuilder.writeBootstrap(tmp, tree, layout, blobs, explicitUidGid, compressor, digester);
            target = output != null ? output : outputDir.resolve(digest);
            files.commit(tmp, target);
        }
        return new BuildResult(target, ImageBuilder.blobIds(blobs), null, layout.indexCount(), 0, 0, 0);
    }

    /**
     * Points every chunk at the first copy of its data met in a breadth-first walk of the merged
     * tree. Nodes are copied before their chunk lists change: a hard-linked node is shared.
     */
    private static void dedup(Tree tree) {
        ChunkDict dict = new ChunkDict();
        tree.walkBfs(t -> {
            List<Chunk> cs = t.node.chunks;
            List<Chunk> out = null;
            for (int i = 0; i < cs.size(); i++) {
                Chunk c = cs.get(i);
                Chunk first = dict.get(c.digest(), c.uncompressedSize());
                if (first == null) {
                    dict.putIfAbsent(c);
                } else if (first.blobIndex() != c.blobIndex() || first.index() != c.index()) {
                    if (out == null) {
                        out = new ArrayList<>(cs);
                    }
                    out.set(i, first.withFileOffset(c.fileOffset()));
                }
            }
            if (out != null) {
                t.node.chunks = out;
            }
        });
    }
}
