package dev.jnydus.backend.localfs;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BackendMetrics;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.backend.options.LocalFsOptions;
import dev.jnydus.common.Errno;
import dev.jnydus.common.Ticker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Blobs in local files: {@code <dir>/<blob_id>} (then each alternative directory), or one file for
 * every blob id, as upstream's {@code localfs} backend with {@code blob_file}.
 */
public final class LocalFsBackend implements BlobBackend {
    private final List<Path> dirs;
    private final Path blobFile;
    private final BackendMetrics metrics;

    private LocalFsBackend(List<Path> dirs, Path blobFile, Ticker ticker) {
        this.dirs = List.copyOf(dirs);
        this.blobFile = blobFile;
        this.metrics = new BackendMetrics("localfs", ticker);
    }

    /** From the typed options; {@code ticker} times reads for the metrics. */
    public static LocalFsBackend create(LocalFsOptions o, Ticker ticker) {
        if (o.blobFile() != null) {
            return new LocalFsBackend(List.of(), o.blobFile(), ticker);
        }
        List<Path> all = new ArrayList<>();
        all.add(o.dir());
        all.addAll(o.altDirs());
        return new LocalFsBackend(all, null, ticker);
    }

    /** Blobs named by id under {@code dir}, then under each of {@code altDirs}. */
    public static LocalFsBackend ofDirs(Path dir, List<Path> altDirs) {
        return create(new LocalFsOptions(null, dir, altDirs), Ticker.system());
    }

    public static LocalFsBackend ofDir(Path dir) {
        return ofDirs(dir, List.of());
    }

    /** Every blob id reads from the same file. */
    public static LocalFsBackend ofFile(Path blobFile) {
        return create(new LocalFsOptions(blobFile, null, List.of()), Ticker.system());
    }

    @Override
    public String type() {
        return "localfs";
    }

    @Override
    public Optional<BackendMetrics> metrics() {
        return Optional.of(metrics);
    }

    @Override
    public BlobReader open(String blobId) throws IOException {
        if (blobFile != null) {
            return new FileBlobReader(blobId, blobFile, metrics);
        }
        if (blobId.isEmpty() || blobId.contains("/") || blobId.equals(".") || blobId.equals("..")) {
            throw new BackendException(Errno.EINVAL, "invalid blob id '" + blobId + "'", null);
        }
        // As upstream: the first non-empty <dir>/<blob_id>; an empty file only when nothing better exists.
        Path empty = null;
        for (Path d : dirs) {
            Path p = d.resolve(blobId);
            if (Files.isRegularFile(p)) {
                if (Files.size(p) > 0) {
                    return new FileBlobReader(blobId, p, metrics);
                }
                if (empty == null) {
                    empty = p;
                }
            }
        }
        if (empty != null) {
            return new FileBlobReader(blobId, empty, metrics);
        }
        throw new BackendException("blob " + blobId + " not found in " + dirs,
                new NoSuchFileException(dirs.isEmpty() ? blobId : dirs.get(0).resolve(blobId).toString()));
    }

    private static final class FileBlobReader implements BlobReader {
        private final String blobId;
        private final Path path;
        private final FileChannel channel;
        private final BackendMetrics metrics;

        FileBlobReader(String blobId, Path path, BackendMetrics metrics) throws IOException {
            this.blobId = blobId;
            this.path = path;
            this.metrics = metrics;
            try {
                this.channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new BackendException("cannot open blob " + blobId + " at " + path + ": " + e, e);
            }
        }

        @Override
        public String blobId() {
            return blobId;
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public int tryRead(ByteBuffer dst, long offset) throws IOException {
            if (!dst.hasRemaining()) {
                return 0;
            }
            try (BackendMetrics.Recorder r = metrics.begin(dst.remaining())) {
                int n = channel.read(dst, offset);
                r.success(Math.max(n, 0));
                return n;
            } catch (IOException e) {
                throw new BackendException("read of blob " + blobId + " at " + offset + " from " + path + " failed: " + e, e);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing a read-only channel loses nothing.
            }
        }
    }
}
