package dev.jnydus.builder.check;

import dev.jnydus.backend.BlobBackend;
import dev.jnydus.common.Hex;
import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.ImageValidator;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.TreeWalker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Walks an image and, given its blobs, reads every regular file through {@link FileDataReader}:
 * each chunk is verified, and each file's content hashed with MD5 as {@code md5sum} would.
 */
public final class ImageChecker {
    private static final int READ_SIZE = 1 << 20;

    /** One line of the md5 listing. */
    public record FileHash(String md5, String path) {
        @Override
        public String toString() {
            return md5 + "  " + path;
        }
    }

    /** What a full check found. */
    public record Report(int entries, int regularFiles, long bytesRead, long chunksVerified, List<FileHash> hashes) {
    }

    private ImageChecker() {
    }

    /** Walks the whole tree, validating every inode and directory on the way; returns the entry count. */
    public static int walk(RafsSuper sb) throws IOException {
        return (int) ImageValidator.validate(sb);
    }

    /** Reads every regular file; the hashes are sorted as {@code sort} sorts md5sum output. */
    public static Report verify(RafsSuper sb, BlobBackend backend) throws IOException {
        List<FileHash> hashes = new ArrayList<>();
        long[] bytes = {0};
        int[] entries = {0};
        try (FileDataReader reader = new FileDataReader(sb, backend)) {
            ByteBuffer buf = ByteBuffer.allocate(READ_SIZE);
            TreeWalker.walk(sb, e -> {
                entries[0]++;
                RafsInode inode = e.inode();
                if (!inode.isReg()) {
                    return true;
                }
                MessageDigest md5 = md5();
                for (long off = 0; off < inode.size(); off += READ_SIZE) {
                    buf.clear();
                    buf.limit((int) Math.min(READ_SIZE, inode.size() - off));
                    reader.read(inode, off, buf);
                    if (buf.hasRemaining()) {
                        throw new IOException(e.pathString() + ": short read at " + (off + buf.position()));
                    }
                    md5.update(buf.array(), 0, buf.position());
                    bytes[0] += buf.position();
                }
                hashes.add(new FileHash(Hex.of(md5.digest()), new String(e.path(), StandardCharsets.UTF_8)));
                return true;
            });
            hashes.sort(Comparator.comparing(FileHash::toString));
            return new Report(entries[0], hashes.size(), bytes[0], reader.chunksVerified(), List.copyOf(hashes));
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks MD5", e);
        }
    }
}
