package dev.jnydus.backend.localfs;

import dev.jnydus.backend.BackendException;
import dev.jnydus.backend.BlobBackend;
import dev.jnydus.backend.BlobReader;
import dev.jnydus.common.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Blobs in local files: {@code <dir>/<blob_id>} (then each alternative directory), or one file for
 * every blob id, as upstream's {@code localfs} backend with {@code blob_file}.
 */
public final class LocalFsBackend implements BlobBackend {
    private final List<Path> dirs;
    private final Path blobFile;

    private LocalFsBackend(List<Path> dirs, Path blobFile) {
        this.dirs = List.copyOf(dirs);
        this.blobFile = blobFile;
    }

    /** Blobs named by id under {@code dir}, then under each of {@code altDirs}. */
    public static LocalFsBackend ofDirs(Path dir, List<Path> altDirs) {
        List<Path> all = new ArrayList<>();
        all.add(dir);
        all.addAll(altDirs);
        return new LocalFsBackend(all, null);
    }

    public static LocalFsBackend ofDir(Path dir) {
        return ofDirs(dir, List.of());
    }

    /** Every blob id reads from the same file. */
    public static LocalFsBackend ofFile(Path blobFile) {
        return new LocalFsBackend(List.of(), blobFile);
    }

    @Override
    public String type() {
        return "localfs";
    }

    @Override
    public BlobReader open(String blobId) throws IOException {
        if (blobFile != null) {
            return new FileBlobReader(blobId, blobFile);
        }
        if (blobId.isEmpty() || blobId.contains("/") || blobId.equals(".") || blobId.equals("..")) {
            throw new BackendException(Errno.EINVAL, "invalid blob id '" + blobId + "'", null);
        }
        for (Path d : dirs) {
            Path p = d.resolve(blobId);
            if (Files.isRegularFile(p)) {
                return new FileBlobReader(blobId, p);
            }
        }
        throw new BackendException("blob " + blobId + " not found in " + dirs,
                new NoSuchFileException(dirs.isEmpty() ? blobId : dirs.get(0).resolve(blobId).toString()));
    }

    private static final class FileBlobReader implements BlobReader {
        private final String blobId;
        private final Path path;
        private final FileChannel channel;

        FileBlobReader(String blobId, Path path) throws IOException {
            this.blobId = blobId;
            this.path = path;
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
            try {
                return channel.read(dst, offset);
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
