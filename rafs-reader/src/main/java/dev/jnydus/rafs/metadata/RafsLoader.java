package dev.jnydus.rafs.metadata;

import dev.jnydus.rafs.layout.MetaBuffer;
import dev.jnydus.rafs.v5.V5Bootstrap;
import dev.jnydus.rafs.v6.V6Bootstrap;
import java.io.IOException;
import java.nio.file.Path;

/** Detects the bootstrap kind (rafs-format section 2) and opens it. */
final class RafsLoader {
    private RafsLoader() {
    }

    static RafsSuper open(Path bootstrap) throws IOException {
        return open(bootstrap, MetaBuffer.map(bootstrap));
    }

    static RafsSuper open(Path bootstrap, MetaBuffer meta) throws RafsFormatException {
        if (meta.size() >= 8 && meta.i32(0, "magic") == V5Bootstrap.MAGIC) {
            long version = meta.u32(4, "s_fs_version");
            if (version != V5Bootstrap.VERSION) {
                throw new RafsFormatException("invalid RAFS version 0x" + Long.toHexString(version) + " (only 0x500 is v5)");
            }
            return V5Bootstrap.open(bootstrap, meta);
        }
        if (meta.size() >= V6Bootstrap.SB_OFFSET + 4 && meta.u32(V6Bootstrap.SB_OFFSET, "magic") == V6Bootstrap.EROFS_MAGIC) {
            return V6Bootstrap.open(bootstrap, meta);
        }
        throw new RafsFormatException("not a RAFS bootstrap: " + bootstrap + " has neither the v5 magic nor the EROFS magic");
    }

    /** Opens bootstrap bytes already in memory: fuzzing and tests. */
    static RafsSuper open(byte[] bytes) throws RafsFormatException {
        return open(Path.of("<memory>"), MetaBuffer.wrap(bytes));
    }
}
