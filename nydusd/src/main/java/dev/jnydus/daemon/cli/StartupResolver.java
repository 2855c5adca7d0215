package dev.jnydus.daemon.cli;

import dev.jnydus.config.BlobCacheEntry;
import dev.jnydus.config.ConfigException;
import dev.jnydus.config.NydusConfig;
import dev.jnydus.config.SingletonConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns {@link DaemonArgs} into a {@link StartupPlan}, as upstream's process_fs_service and
 * process_singleton_arguments do before creating the daemon:
 * <ul>
 *   <li>{@code --shared-dir} → passthrough, not supported yet;</li>
 *   <li>{@code --bootstrap} → RAFS with the config from {@code --localfs-dir} or {@code --config}
 *       (IMAGE_PULL_AUTH applied), error "both --config and --localfs-dir are missing" without
 *       either; {@code --prefetch-files} read as a trimmed list without blank lines;</li>
 *   <li>neither → no startup filesystem (an API-driven daemon);</li>
 *   <li>singleton → the {@code blobs} of a JSON {@code --config}.</li>
 * </ul>
 */
public final class StartupResolver {
    private final Map<String, String> env;

    public StartupResolver(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public StartupPlan resolve(DaemonArgs args) throws StartupException {
        Service s = args.service();
        if (s instanceof Service.Virtiofs) {
            throw new StartupException("the virtiofs subcommand is not supported by this nydusd "
                    + "(no vhost-user-fs backend); use fuse or singleton");
        }
        if (s instanceof Service.Singleton) {
            List<BlobCacheEntry> blobs = List.of();
            if (args.global().config().isPresent()) {
                String path = args.global().config().get();
                try {
                    blobs = SingletonConfig.load(Paths.get(path));
                } catch (ConfigException e) {
                    throw new StartupException("invalid configuration file " + path + ": " + e.getMessage(), e);
                }
            }
            return new StartupPlan(args, Optional.empty(), blobs);
        }
        Service.Fuse fuse = (Service.Fuse) s;
        return new StartupPlan(args, rafsMount(fuse.fs(), args.global()), List.of());
    }

    private Optional<RafsMount> rafsMount(FsOptions fs, GlobalOptions global) throws StartupException {
        if (fs.sharedDir().isPresent()) {
            throw new StartupException("--shared-dir (passthrough filesystem) is not supported yet");
        }
        if (fs.bootstrap().isEmpty()) {
            return Optional.empty();
        }
        NydusConfig config;
        try {
            if (fs.localfsDir().isPresent()) {
                config = NydusConfig.forLocalfsDir(fs.localfsDir().get());
            } else if (global.config().isPresent()) {
                config = NydusConfig.load(Paths.get(global.config().get())).withImagePullAuth(env);
            } else {
                throw new StartupException("both --config and --localfs-dir are missing");
            }
        } catch (ConfigException e) {
            throw new StartupException(e.getMessage(), e);
        }
        Optional<List<String>> prefetch = Optional.empty();
        if (fs.prefetchFiles().isPresent()) {
            prefetch = Optional.of(readPrefetchList(Paths.get(fs.prefetchFiles().get())));
        }
        return Optional.of(new RafsMount(fs.bootstrap().get(), config, prefetch, fs.virtualMountpoint()));
    }

    /** One path per line, each trimmed; blank lines skipped. */
    static List<String> readPrefetchList(Path file) throws StartupException {
        String content;
        try {
            content = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StartupException("the prefetch-files arg is not a file path", e);
        }
        List<String> out = new ArrayList<>();
        for (String line : content.split("\r?\n", -1)) {
            String t = line.strip();
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
