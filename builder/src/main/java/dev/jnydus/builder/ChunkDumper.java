package dev.jnydus.builder;

import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.common.Digester;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.codec.digest.Blake3;

/**
 * Cuts regular files into chunks and stores the new ones (upstream
 * {@code Node::dump_node_data_with_reader}): digest of the uncompressed bytes, CRC-32C, lookup in
 * the chunk dictionary, otherwise compression (kept only if strictly smaller) and append to the
 * blob.
 */
final class ChunkDumper {
    private final BuildOptions options;
    private final BlobWriter blob;
    private final int blobIndex;
    private final ChunkDict dict;
    private final BuildProgress progress;
    private final byte[] buf;

    ChunkDumper(BuildOptions options, BlobWriter blob, int blobIndex, ChunkDict dict, BuildProgress progress) {
        this.options = options;
        this.blob = blob;
        this.blobIndex = blobIndex;
        this.dict = dict;
        this.progress = progress;
        this.buf = new byte[options.chunkSize()];
    }

    /**
     * Reads exactly {@code n.size} bytes from {@code in}, chunk by chunk, and fills
     * {@code n.chunks}.
     */
    void dumpFile(Node n, InputStream in) throws IOException {
        int chunkSize = options.chunkSize();
        long count = n.chunkCount(chunkSize);
        List<Chunk> chunks = new ArrayList<>((int) Math.min(count, 1 << 16));
        for (long i = 0; i < count; i++) {
            long fileOffset = i * chunkSize;
            int len = (int) Math.min(chunkSize, n.size - fileOffset);
            readFully(n, in, len, fileOffset);
            ChunkPipeline.Prepared p = ChunkPipeline.prepare(options, buf, len);
            chunks.add(store(buf, len, p.digest(), p.crc32(), p.stored(), fileOffset));
            progress.dataRead(len);
        }
        n.chunks = chunks;
    }

    /** Stores the chunks of {@code n} as the pipeline prepared them. */
    void dumpFile(Node n, ChunkPipeline pipeline) throws IOException {
        int chunkSize = options.chunkSize();
        long count = n.chunkCount(chunkSize);
        List<Chunk> chunks = new ArrayList<>((int) Math.min(count, 1 << 16));
        for (long i = 0; i < count; i++) {
            long fileOffset = i * chunkSize;
            ChunkPipeline.Prepared p = pipeline.next(n);
            chunks.add(store(p.data(), p.len(), p.digest(), p.crc32(), p.stored(), fileOffset));
            progress.dataRead(p.len());
        }
        n.chunks = chunks;
    }

    private Chunk store(byte[] data, int len, byte[] digest, int crc32, byte[] stored, long fileOffset)
            throws IOException {
        Chunk c = dict.get(digest, len);
        if (c != null) {
            return c.withFileOffset(fileOffset);
        }
        c = blob.append(data, len, stored, digest, crc32, fileOffset).withBlobIndex(blobIndex);
        dict.putIfAbsent(c);
        return c;
    }

    private void readFully(Node n, InputStream in, int len, long fileOffset) throws IOException {
        int got = 0;
        while (got < len) {
            int r;
            try {
                r = in.read(buf, got, len - got);
            } catch (IOException e) {
                throw new BuildException(n.path + ": cannot read at offset " + (fileOffset + got) + ": "
                        + DirectoryScanner.reason(e), e);
            }
            if (r < 0) {
                throw new BuildException(n.path + ": file ended at " + (fileOffset + got) + " bytes, "
                        + n.size + " expected (truncated input, or the file changed while reading)");
            }
            got += r;
        }
    }

    /** Digest over a sequence of digests (v5 file and directory digests). */
    static final class InodeHasher {
        private final MessageDigest sha;
        private final Blake3 blake;

        InodeHasher(Digester d) {
            if (d == Digester.SHA256) {
                sha = ChunkDigest.sha256();
                blake = null;
            } else {
                sha = null;
                blake = Blake3.initHash();
            }
        }

        void update(byte[] d) {
            if (sha != null) {
                sha.update(d);
            } else {
                blake.update(d);
            }
        }

        byte[] finish() {
            return sha != null ? sha.digest() : blake.doFinalize(32);
        }
    }
}
