package dev.jnydus.builder.cli;

import dev.jnydus.builder.BuildOptions;
import dev.jnydus.builder.BuildOutputs;
import dev.jnydus.builder.BuildResult;
import dev.jnydus.builder.ImageBuilder;
import dev.jnydus.builder.SourceType;
import dev.jnydus.builder.WhiteoutSpec;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nydus-image create}: upstream's flags for directory and tar sources. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create RAFS filesystems from directories, tar files or OCI images")
final class CreateCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "source from which to build the RAFS filesystem")
    Path source;

    @Option(names = {"-t", "--type", "--source-type"}, defaultValue = "dir-rafs",
            description = "Conversion type: dir-rafs (directory), tar-rafs, targz-rafs")
    String type;

    @Option(names = {"-B", "--bootstrap"}, description = "File path to save the generated RAFS metadata blob")
    Path bootstrap;

    @Option(names = {"-D", "--blob-dir"}, description = "Directory path to save generated RAFS metadata and data blobs")
    Path blobDir;

    @Option(names = {"-b", "--blob"}, description = "File path to save the generated RAFS data blob")
    Path blob;

    @Option(names = "--blob-id", description = "Blob id to use instead of the SHA-256 of the blob file")
    String blobId;

    @Option(names = "--chunk-size", description = "Size of data chunks, a power of two between 0x1000 and 0x1000000")
    String chunkSize;

    @Option(names = "--compressor", defaultValue = "zstd", description = "none, lz4_block, zstd, gzip")
    String compressor;

    @Option(names = "--digester", defaultValue = "blake3", description = "blake3, sha256")
    String digester;

    @Option(names = {"-v", "--fs-version"}, defaultValue = "6", description = "RAFS format version: 5 or 6")
    String fsVersion;

    @Option(names = "--features", description = "Features: blob-toc (default for v6), or empty for none")
    String features;

    @Option(names = "--aligned-chunk",
            description = "Align uncompressed chunks to 4 KiB (v5); with --compressor none also in the blob,"
                    + " making it an EROFS device")
    boolean alignedChunk;

    @Option(names = "--repeatable", description = "Generate reproducible RAFS metadata (no host uid/gid)")
    boolean repeatable;

    @Option(names = "--whiteout-spec", defaultValue = "oci", description = "oci, overlayfs, none")
    String whiteoutSpec;

    @Option(names = "--prefetch-policy", defaultValue = "none",
            description = "none, or fs: read prefetch paths from standard input")
    String prefetchPolicy;

    @Option(names = "--disable-check", hidden = true, description = "Accepted for compatibility")
    boolean disableCheck;

    @Option(names = {"-l", "--log-level"}, hidden = true, description = "Accepted for compatibility with upstream")
    String logLevel;

    @Option(names = {"-L", "--log-file"}, hidden = true, description = "Accepted for compatibility with upstream")
    Path logFile;

    @Option(names = {"-J", "--output-json"}, description = "File path to save the result in JSON format")
    Path outputJson;

    @Option(names = "--parent-bootstrap",
            description = "Bootstrap of the layers below: build the merged image, referencing chunks they store")
    Path parentBootstrap;

    @Option(names = "--chunk-dict", description = "Chunk dictionary: bootstrap=PATH (or PATH)")
    String chunkDict;

    @Option(names = "--threads", description = "Threads digesting and compressing chunks (jnydus; default: CPUs)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        BuildOptions o = options();
        if (blob == null && blobDir == null) {
            throw new IllegalArgumentException("both --blob and --blob-dir are missing");
        }
        if (blobDir != null && !Files.isDirectory(blobDir)) {
            throw new IllegalArgumentException("directory to store blobs does not exist: " + blobDir);
        }
        BuildOutputs outputs = new BuildOutputs(bootstrap, blobDir, blob);
        try (TerminalProgress progress = TerminalProgress.forStderr()) {
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            BuildResult r = new ImageBuilder(o, progress, t).create(source, outputs);
            spec.commandLine().getOut().print(Summary.of(r));
            spec.commandLine().getOut().flush();
            if (outputJson != null) {
                ResultJson.write(outputJson, r, o);
            }
        }
        return 0;
    }

    BuildOptions options() throws java.io.IOException {
        SourceType sourceType = SourceType.of(type);
        int version;
        try {
            version = Integer.parseInt(fsVersion);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid fs-version: " + fsVersion);
        }
        BuildOptions o = BuildOptions.defaults()
                .withType(sourceType)
                .withFsVersion(version)
                .withCompressor(Compressor.ofLabel(compressor))
                .withDigester(Digester.ofLabel(digester))
                .withWhiteoutSpec(WhiteoutSpec.of(whiteoutSpec))
                .withRepeatable(repeatable)
                .withAlignedChunk(alignedChunk)
                .withBlobId(blobId)
                .withParentBootstrap(parentBootstrap);
        if (chunkDict != null) {
            int eq = chunkDict.indexOf('=');
            String kind = eq < 0 ? "bootstrap" : chunkDict.substring(0, eq);
            if (!kind.equals("bootstrap")) {
                throw new IllegalArgumentException("invalid chunk dict type " + kind + " (bootstrap)");
            }
            o = o.withChunkDict(Path.of(eq < 0 ? chunkDict : chunkDict.substring(eq + 1)));
        }
        if (chunkSize != null) {
            o = o.withChunkSize(parseSize(chunkSize));
        }
        if (features != null) {
            boolean toc = false;
            for (String f : features.split(",")) {
                String t = f.trim();
                if (t.equals("blob-toc")) {
                    toc = true;
                } else if (!t.isEmpty()) {
                    throw new IllegalArgumentException("unsupported feature `" + t + "`");
                }
            }
            o = o.withBlobToc(toc);
        }
        switch (prefetchPolicy) {
            case "none" -> {
            }
            case "fs" -> o = o.withPrefetchPatterns(readPatterns());
            case "blob" -> throw new IllegalArgumentException("prefetch policy 'blob' is not supported by jnydus");
            default -> throw new IllegalArgumentException("invalid prefetch policy '" + prefetchPolicy
                    + "' (none, fs)");
        }
        return o.validate();
    }

    /** The prefetch patterns of {@code --prefetch-policy fs}: standard input, one path a line. */
    static List<String> readPatterns() throws java.io.IOException {
        List<String> lines = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
        }
        return lines;
    }

    static int parseSize(String s) {
        String t = s.trim().toLowerCase();
        try {
            long v = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            if (v <= 0 || v > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid chunk size: " + s);
        }
    }
}
