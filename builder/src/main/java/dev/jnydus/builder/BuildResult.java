package dev.jnydus.builder;

import java.nio.file.Path;
import java.util.List;

/**
 * What a build wrote.
 *
 * @param bootstrap the bootstrap file
 * @param blobIds the image's blob table, in order
 * @param blob the data blob written by this build, or {@code null} when the image has no file data
 *     (or for a merge)
 * @param entries number of entries (inode indexes) in the image
 * @param dataBytes regular-file bytes read and chunked
 * @param chunks chunks stored in the new blob
 * @param blobSize size of the new blob file, 0 when none
 */
public record BuildResult(Path bootstrap, List<String> blobIds, Path blob, long entries, long dataBytes, int chunks,
        long blobSize) {
}
