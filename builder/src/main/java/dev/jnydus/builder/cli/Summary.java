package dev.jnydus.builder.cli;

import dev.jnydus.builder.BuildResult;

/** The lines upstream prints after a successful build: where the bootstrap went, blob size and ids. */
final class Summary {
    private Summary() {
    }

    static String of(BuildResult r) {
        StringBuilder b = new StringBuilder();
        b.append("meta blob path: ").append(r.bootstrap()).append('\n');
        b.append("data blob size: 0x").append(Long.toHexString(r.blobSize())).append('\n');
        b.append("data blobs: [");
        for (int i = 0; i < r.blobIds().size(); i++) {
            b.append(i == 0 ? "" : ", ").append('"').append(r.blobIds().get(i)).append('"');
        }
        return b.append("]\n").toString();
    }
}
