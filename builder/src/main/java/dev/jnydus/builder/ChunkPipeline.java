package dev.jnydus.builder;

import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.common.Compressor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.zip.CRC32C;

/**
 * Reads, digests and compresses the chunks of many files ahead of the thread that stores them.
 * A reader thread walks the files in dump order and hands each chunk to the executor; the
 * consumer takes the results strictly in that order, so deduplication, chunk indexes and blob
 * bytes are exactly those of a sequential build. Compression of a chunk that later turns out to be
 * a duplicate is wasted, which is cheaper than waiting for the digest first. At most
 * {@link #WINDOW} chunks are in flight.
 *
 * <p>Parallel work is what makes large builds fast: BLAKE3 in Java and zstd each cost about as
 * much as reading the data.
 */
final class ChunkPipeline implements AutoCloseable {
    static final int WINDOW = 16;

    /** One chunk, ready to be stored: {@code stored} is the compressed form or {@code null}. */
    record Prepared(byte[] data, int len, byte[] digest, int crc32, byte[] stored) {
    }

    private record Item(Node node, CompletableFuture<Prepared> chunk, BuildException failure) {
    }

    private static final Item END = new Item(null, null, null);

    private final BuildOptions options;
    private final Executor executor;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(WINDOW);
    private final Thread reader;
    private volatile boolean closed;

    ChunkPipeline(BuildOptions options, Executor executor, List<Node> files) {
        this.options = options;
        this.executor = executor;
        this.reader = new Thread(() -> readAll(files), "nydus-image-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    private void readAll(List<Node> files) {
        try {
            for (Node n : files) {
                if (closed) {
                    return;
                }
                if (!readFile(n)) {
                    return;
                }
            }
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues the chunks of one file; false after queueing a failure. */
    private boolean readFile(Node n) throws InterruptedException {
        int chunkSize = options.chunkSize();
        long count = n.chunkCount(chunkSize);
        try (InputStream in = Files.newInputStream(n.source)) {
            for (long i = 0; i < count; i++) {
                long off = i * chunkSize;
                int len = (int) Math.min(chunkSize, n.size - off);
                byte[] buf = new byte[len];
                int got = in.readNBytes(buf, 0, len);
                if (got < len) {
                    queue.put(new Item(n, null, new BuildException(n.source + ": file ended at " + (off + got)
                            + " bytes, " + n.size + " expected (the file changed while reading)")));
                    return false;
                }
                queue.put(new Item(n, CompletableFuture.supplyAsync(() -> prepare(options, buf, len), executor),
                        null));
            }
        } catch (IOException e) {
            queue.put(new Item(n, null, new BuildException(n.source + ": cannot read: "
                    + DirectoryScanner.reason(e), e)));
            return false;
        }
        return true;
    }

    static Prepared prepare(BuildOptions o, byte[] data, int len) {
        byte[] digest = ChunkDigest.digest(o.digester(), data, 0, len);
        CRC32C crc = new CRC32C();
        crc.update(data, 0, len);
        byte[] stored = o.compressor() == Compressor.NONE ? null : ChunkCodec.compress(o.compressor(), data, len);
        return new Prepared(data, len, digest, (int) crc.getValue(), stored);
    }

    /** The next chunk of {@code n}, which must be the file the reader is at. */
    Prepared next(Node n) throws BuildException {
        Item it;
        try {
            it = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException(n.path + ": interrupted");
        }
        if (it.failure != null) {
            throw it.failure;
        }
        if (it == END || it.node != n) {
            throw new IllegalStateException("chunk pipeline out of step at " + n.path);
        }
        return await(n, it.chunk);
    }

    /** Waits for a chunk of {@code n} handed to the executor; a failure names the file. */
    static Prepared await(Node n, CompletableFuture<Prepared> chunk) throws BuildException {
        try {
            return chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException(n.path + ": interrupted");
        } catch (ExecutionException e) {
            throw new BuildException(n.path + ": cannot process chunk: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        queue.clear();
    }
}
