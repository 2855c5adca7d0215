package dev.jnydus.builder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnydus.builder.BuildOptions;
import dev.jnydus.builder.BuildResult;
import java.io.IOException;
import java.nio.file.Path;

/** {@code --output-json}: the fields of upstream's output that describe the image. */
final class ResultJson {
    private ResultJson() {
    }

    static void write(Path file, BuildResult r, BuildOptions o) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("version", "jnydus-0.1.0");
        var blobs = root.putArray("blobs");
        r.blobIds().forEach(blobs::add);
        root.put("bootstrap", r.bootstrap().toString());
        if (o != null) {
            root.put("fs_version", Integer.toString(o.fsVersion()));
            root.put("compressor", o.compressor().label());
        }
        m.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
