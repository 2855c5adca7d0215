package dev.jnydus.builder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.localfs.LocalFsBackend;
import dev.jnydus.builder.check.ImageChecker;
import dev.jnydus.builder.check.TreeJson;
import dev.jnydus.rafs.metadata.BlobInfo;
import dev.jnydus.rafs.metadata.RafsSuper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nydus-image check}: validates a bootstrap and prints its tree; with blobs, reads every
 * file, verifies every chunk and prints an md5 listing.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a RAFS bootstrap, print its tree, and with blobs verify every chunk")
public final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-B", "--bootstrap"}, required = true, description = "RAFS v5/v6 bootstrap or plain EROFS image")
    Path bootstrap;

    @Option(names = {"-D", "--blob-dir"}, description = "directory of data blobs named by blob id")
    Path blobDir;

    @Option(names = {"-b", "--blob"}, description = "one data blob file used for every blob id")
    Path blob;

    @Option(names = {"-J", "--output-json"}, description = "write a JSON report to this file")
    Path outputJson;

    @Option(names = {"-v", "--verbose"}, description = "print the superblock and blob table")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (blobDir != null && blob != null) {
            throw new IllegalArgumentException("--blob-dir and --blob cannot be used together");
        }
        try (RafsSuper sb = RafsSuper.open(bootstrap)) {
            ImageChecker.walk(sb);
            if (verbose) {
                out.printf("version %s, compressor %s, digester %s, chunk size 0x%x, %d inodes%n", sb.version(),
                        sb.compressor(), sb.digester(), sb.chunkSize(), sb.inodeCount());
                for (BlobInfo b : sb.blobs()) {
                    out.printf("blob %d: %s, %d chunks, compressed %d, uncompressed %d, features 0x%x%n", b.index(),
                            b.blobId(), b.chunkCount(), b.compressedSize(), b.uncompressedSize(), b.features());
                }
            }
            String tree = TreeJson.render(sb);
            out.print(tree);
            ImageChecker.Report report = null;
            if (blobDir != null || blob != null) {
                try (BlobBackend backend = blob != null ? LocalFsBackend.ofFile(blob) : LocalFsBackend.ofDir(blobDir)) {
                    report = ImageChecker.verify(sb, backend);
                }
                report.hashes().forEach(h -> out.println(h));
            }
            out.flush();
            if (outputJson != null) {
                writeJson(sb, tree, report);
            }
        }
        return 0;
    }

    private void writeJson(RafsSuper sb, String tree, ImageChecker.Report report) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("version", sb.version().name().toLowerCase(java.util.Locale.ROOT));
        root.put("bootstrap", bootstrap.toString());
        root.put("compressor", sb.compressor().label());
        root.put("digester", sb.digester().label());
        root.put("chunk_size", sb.chunkSize());
        root.put("inodes", sb.inodeCount());
        ArrayNode blobs = root.putArray("blobs");
        for (BlobInfo b : sb.blobs()) {
            blobs.addObject().put("blob_id", b.blobId()).put("chunk_count", b.chunkCount())
                    .put("compressed_size", b.compressedSize()).put("uncompressed_size", b.uncompressedSize())
                    .put("features", b.features());
        }
        root.set("tree", mapper.readTree(tree));
        if (report != null) {
            ObjectNode files = root.putObject("md5");
            report.hashes().forEach(h -> files.put(h.path(), h.md5()));
            root.put("chunks_verified", report.chunksVerified());
            root.put("bytes_read", report.bytesRead());
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(outputJson.toFile(), root);
    }
}
