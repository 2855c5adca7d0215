package dev.jnydus.builder.cli;

import dev.jnydus.builder.BuildResult;
import dev.jnydus.builder.ImageMerger;
import dev.jnydus.builder.MergeOptions;
import dev.jnydus.builder.WhiteoutSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nydus-image merge}: several layer bootstraps, lowest first, into one image bootstrap. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge multiple bootstraps into a overlaid bootstrap")
final class MergeCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "SOURCE", description = "bootstrap paths, lowest layer first")
    List<Path> sources;

    @Option(names = {"-B", "--bootstrap"}, description = "Output path of the merged bootstrap")
    Path bootstrap;

    @Option(names = {"-D", "--blob-dir"},
            description = "Directory for the merged bootstrap, named by its SHA-256, when --bootstrap is not given")
    Path blobDir;

    @Option(names = "--prefetch-policy", defaultValue = "none",
            description = "none, or fs: read prefetch paths from standard input")
    String prefetchPolicy;

    @Option(names = "--whiteout-spec", defaultValue = "oci", description = "oci, overlayfs, none")
    String whiteoutSpec;

    @Option(names = "--blob-digests", description = "Per-layer blob ids (comma separated) replacing the stored ones")
    String blobDigests;

    @Option(names = "--no-dedup", description = "Keep each layer's chunk references as they are")
    boolean noDedup;

    @Option(names = {"-l", "--log-level"}, hidden = true, description = "Accepted for compatibility with upstream")
    String logLevel;

    @Option(names = {"-L", "--log-file"}, hidden = true, description = "Accepted for compatibility with upstream")
    Path logFile;

    @Option(names = {"-J", "--output-json"}, description = "File path to save the result in JSON format")
    Path outputJson;

    @Override
    public Integer call() throws Exception {
        MergeOptions o = MergeOptions.defaults()
                .withWhiteoutSpec(WhiteoutSpec.of(whiteoutSpec))
                .withDedupAcrossLayers(!noDedup);
        if (blobDigests != null) {
            o = o.withBlobDigests(Arrays.asList(blobDigests.split(",")));
        }
        switch (prefetchPolicy) {
            case "none" -> {
            }
            case "fs" -> o = o.withPrefetchPatterns(CreateCommand.readPatterns());
            default -> throw new IllegalArgumentException("invalid prefetch policy '" + prefetchPolicy + "' (none, fs)");
        }
        if (bootstrap == null && blobDir == null) {
            throw new IllegalArgumentException("both --bootstrap and --blob-dir are missing");
        }
        if (bootstrap == null && !java.nio.file.Files.isDirectory(blobDir)) {
            throw new IllegalArgumentException("directory to store the bootstrap does not exist: " + blobDir);
        }
        BuildResult r = new ImageMerger(o).merge(sources, bootstrap, blobDir);
        spec.commandLine().getOut().print(Summary.of(r));
        spec.commandLine().getOut().flush();
        if (outputJson != null) {
            ResultJson.write(outputJson, r, null);
        }
        return 0;
    }
}
