package dev.jnydus.builder;

import java.util.List;

/**
 * Options of {@code nydus-image merge}.
 *
 * @param whiteoutSpec how whiteouts in upper layers are recognised (upstream always uses OCI)
 * @param prefetchPatterns absolute paths for the prefetch table, or {@code null} for none
 * @param dedupAcrossLayers point every chunk at the first stored copy of the same data (same
 *     digest and size) in any layer's blob, so a chunk stored by several layers is fetched and
 *     cached once
 * @param blobDigests optional per-layer blob ids replacing the ids stored in the layer bootstraps
 *     (upstream {@code --blob-digests}), or {@code null}
 */
public record MergeOptions(WhiteoutSpec whiteoutSpec, List<String> prefetchPatterns, boolean dedupAcrossLayers,
        List<String> blobDigests) {
    public static MergeOptions defaults() {
        return new MergeOptions(WhiteoutSpec.OCI, null, true, null);
    }

    public MergeOptions withWhiteoutSpec(WhiteoutSpec w) {
        return new MergeOptions(w, prefetchPatterns, dedupAcrossLayers, blobDigests);
    }

    public MergeOptions withPrefetchPatterns(List<String> p) {
        return new MergeOptions(whiteoutSpec, p == null ? null : List.copyOf(p), dedupAcrossLayers, blobDigests);
    }

    public MergeOptions withDedupAcrossLayers(boolean d) {
        return new MergeOptions(whiteoutSpec, prefetchPatterns, d, blobDigests);
    }

    public MergeOptions withBlobDigests(List<String> d) {
        return new MergeOptions(whiteoutSpec, prefetchPatterns, dedupAcrossLayers, d == null ? null : List.copyOf(d));
    }
}
