package dev.jnydus.fscache;

import dev.jnydus.cache.device.BlobInfo;
import java.nio.file.Path;

/** What an OPEN's cookie names: a bound image's bootstrap, or one of its data blobs. */
sealed interface CacheTarget permits CacheTarget.MetaBlob, CacheTarget.DataBlob {

    /** The registry key, {@code <domain>/<id>}. */
    String key();

    /** A bootstrap: the object is the file itself. */
    record MetaBlob(String key, Path bootstrap) implements CacheTarget {
    }

    /**
     * A data blob: the object is the uncompressed blob, filled from the backend through the
     * storage, of which the holder owns one reference.
     */
    record DataBlob(String key, BlobInfo blob, Storage storage) implements CacheTarget {
    }
}
