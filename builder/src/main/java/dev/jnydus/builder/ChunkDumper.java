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
    private final BlobTable table;
    private final ChunkDict dict;
    private final ChunkDict chunkDict;
    private final BuildProgress progress;
    private final java.util.concurrent.Executor executor;

    /** @param executor digests and compresses chunks of a streamed file in parallel */
    ChunkDumper(BuildOptions options, BlobWriter blob, BlobTable table, ChunkDict dict, ChunkDict chunkDict,
            BuildProgress progress, java.util.concurrent.Executor executor) {
        this.options = options;
        this.executor = executor;
        this.table = table;
        this.chunkDict = chunkDict;
        this.blob = blob;
        this.dict = dict;
        this.progress = progress;
    }

    /**
     * Reads exactly {@code n.size} bytes from {@code in}, chunk by chunk, and fills
     * {@code n.chunks}. Up to {@link ChunkPipeline#WINDOW} chunks of the file are digested and
     * compressed in parallel while the stream is read; they are stored in order.
     */
    void dumpFile(Node n, InputStream in) throws IOException {
        int chunkSize = options.chunkSize();
        long count = n.chunkCount(chunkSize);
        List<Chunk> chunks = new ArrayList<>((int) Math.min(count, 1 << 16));
        java.util.ArrayDeque<java.util.concurrent.CompletableFuture<ChunkPipeline.Prepared>> window =
                new java.util.ArrayDeque<>();
        long stored = 0;
        for (long i = 0; i < count; i++) {
            long fileOffset = i * chunkSize;
            int len = (int) Math.min(chunkSize, n.size - fileOffset);
            byte[] data = new byte[len];
            readFully(n, in, data, len, fileOffset);
            window.add(java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> ChunkPipeline.prepare(options, data, len), executor));
            if (window.size() >= ChunkPipeline.WINDOW) {
                chunks.add(storePrepared(n, window.poll(), stored++ * chunkSize));
            }
        }
        while (!window.isEmpty()) {
            chunks.add(storePrepared(n, window.poll(), stored++ * chunkSize));
        }
        n.chunks = chunks;
    }

    private Chunk storePrepared(Node n, java.util.concurrent.CompletableFuture<ChunkPipeline.Prepared> f,
            long fileOffset) throws IOException {
        ChunkPipeline.Prepared p = ChunkPipeline.await(n, f);
        progress.dataRead(p.len());
        return store(p.data(), p.len(), p.digest(), p.crc32(), p.stored(), fileOffset);
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
        // The chunk dictionary first, then what this image already holds (upstream's order).
        if (chunkDict != null) {
            Chunk d = chunkDict.get(digest, len);
            if (d != null) {
                return d.withBlobIndex(table.dictBlobIndex(d.blobIndex())).withFileOffset(fileOffset);
            }
        }
        Chunk c = dict.get(digest, len);
        if (c != null) {
            return c.withFileOffset(fileOffset);
        }
        c = blob.append(data, len, stored, digest, crc32, fileOffset).withBlobIndex(table.newBlobIndex());
        dict.putIfAbsent(c);
        return c;
    }

    private void readFully(Node n, InputStream in, byte[] buf, int len, long fileOffset) throws IOException {
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
