package dev.jnydus.daemon;

import dev.jnydus.common.FsException;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.sys.PageCache;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the pages of a memory-mapped bootstrap from the daemon's resident set. The whole-image
 * check before a mount reads every byte of the bootstrap once (20 MiB for a 100,000-entry image),
 * which would otherwise stay mapped, and counted in the daemon's RSS, for as long as the image is
 * mounted although the kernel caches most of what the walk looked up. The pages stay in the page
 * cache, so a later lookup maps them again with a minor fault, and the bytes are those of the file.
 */
final class ResidentMetadata {
    private static final Logger LOG = LoggerFactory.getLogger(ResidentMetadata.class);

    private ResidentMetadata() {
    }

    /** Releases {@code sb}'s mapped pages; a failure is logged and leaves them mapped. */
    static void release(RafsSuper sb) {
        Optional<ByteBuffer> mapping = sb.mappedMetadata();
        if (mapping.isEmpty()) {
            return;
        }
        try {
            PageCache.unmapResident(mapping.get());
        } catch (FsException | RuntimeException e) {
            LOG.debug("bootstrap {}: its pages stay mapped: {}", sb.path(), e.getMessage());
        }
    }
}
