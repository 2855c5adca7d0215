package dev.jnydus.testkit;

import dev.jnydus.backend.codec.ChunkCodec;
import dev.jnydus.backend.codec.ChunkDigest;
import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import dev.jnydus.common.Hex;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A data blob built the way the upstream builder lays one out: file data cut into chunks, each
 * chunk compressed on its own (raw when compression does not help) and written back to back;
 * uncompressed offsets 4 KiB aligned as in RAFS v6 (or packed as in v5). Chunk digests are real
 * BLAKE3/SHA-256 digests of the uncompressed bytes, so caches can validate against them.
 */
public final class FakeBlob {
    /** One stored chunk, with the fields a chunk-info record carries. */
    public record Chunk(int index, long compressedOffset, int compressedSize, long uncompressedOffset,
                        int uncompressedSize, boolean compressed, byte[] digest) {
        public long compressedEnd() {
            return compressedOffset + compressedSize;
        }
    }

    private final String blobId;
    private final Compressor compressor;
    private final Digester digester;
    private final int chunkSize;
    private final List<Chunk> chunks;
    private final byte[] content;
    private final byte[] uncompressed;
    private final List<List<Chunk>> files;

    private FakeBlob(Builder b, byte[] content, byte[] uncompressed) {
        this.blobId = b.blobId != null ? b.blobId : Hex.of(ChunkDigest.digest(Digester.SHA256, content, 0, content.length));
        this.compressor = b.compressor;
        this.digester = b.digester;
        this.chunkSize = b.chunkSize;
        this.chunks = List.copyOf(b.chunks);
        this.content = content;
        this.uncompressed = uncompressed;
        this.files = List.copyOf(b.files);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String blobId() {
        return blobId;
    }

    public Compressor compressor() {
        return compressor;
    }

    public Digester digester() {
        return digester;
    }

    public int chunkSize() {
        return chunkSize;
    }

    public List<Chunk> chunks() {
        return chunks;
    }

    /** The chunks of the {@code i}-th file added, in file order. */
    public List<Chunk> fileChunks(int i) {
        return files.get(i);
    }

    public int fileCount() {
        return files.size();
    }

    /** The stored blob: what a backend serves. */
    public byte[] content() {
        return content.clone();
    }

    public long compressedSize() {
        return content.length;
    }

    public long uncompressedSize() {
        return uncompressed.length;
    }

    /** The blob's uncompressed image: each chunk at its uncompressed offset, zeros in between. */
    public byte[] uncompressedImage() {
        return uncompressed.clone();
    }

    /** The uncompressed bytes of one chunk. */
    public byte[] chunkData(Chunk c) {
        return Arrays.copyOfRange(uncompressed, (int) c.uncompressedOffset(), (int) (c.uncompressedOffset() + c.uncompressedSize()));
    }

    /** Deterministic test data: text-like (compresses about 2-4x) or random (incompressible). */
    public static byte[] data(long seed, int length, boolean compressible) {
        Random r = new Random(seed);
        byte[] out = new byte[length];
        if (!compressible) {
            r.nextBytes(out);
            return out;
        }
        String[] words = {"nydus ", "chunk ", "blob ", "cache ", "prefetch ", "rafs ", "erofs ", "fuse ", "layer ", "image "};
        int i = 0;
        while (i < length) {
            byte[] w = words[r.nextInt(words.length)].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int k = 0; k < w.length && i < length; k++) {
                out[i++] = w[k];
            }
            if (i < length && r.nextInt(8) == 0) {
                out[i++] = (byte) r.nextInt(256);
            }
        }
        return out;
    }

    public static final class Builder {
        private String blobId;
        private Compressor compressor = Compressor.LZ4_BLOCK;
        private Digester digester = Digester.BLAKE3;
        private int chunkSize = 1 << 20;
        private boolean align4k = true;
        private final List<byte[]> pending = new ArrayList<>();
        private final List<Chunk> chunks = new ArrayList<>();
        private final List<List<Chunk>> files = new ArrayList<>();

        private Builder() {
        }

        /** The blob id; by default the SHA-256 of the stored blob, as for RAFS blobs. */
        public Builder blobId(String id) {
            this.blobId = id;
            return this;
        }

        public Builder compressor(Compressor c) {
            this.compressor = c;
            return this;
        }

        public Builder digester(Digester d) {
            this.digester = d;
            return this;
        }

        public Builder chunkSize(int size) {
            if (size <= 0) {
                throw new IllegalArgumentException("chunk size " + size);
            }
            this.chunkSize = size;
            return this;
        }

        /** 4 KiB aligned uncompressed offsets (RAFS v6, the default) or packed ones (v5). */
        public Builder align4k(boolean align) {
            this.align4k = align;
            return this;
        }

        /** Adds one file's data; it becomes {@code ceil(len / chunkSize)} chunks. */
        public Builder addFile(byte[] data) {
            pending.add(data.clone());
            return this;
        }

        public FakeBlob build() {
            ByteArrayOutputStream stored = new ByteArrayOutputStream();
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            long uoff = 0;
            for (byte[] file : pending) {
                List<Chunk> fileChunks = new ArrayList<>();
                for (int pos = 0; pos < file.length; pos += chunkSize) {
                    int len = Math.min(chunkSize, file.length - pos);
                    byte[] raw = Arrays.copyOfRange(file, pos, pos + len);
                    byte[] comp = ChunkCodec.compress(compressor, raw, len);
                    boolean compressed = comp != null;
                    byte[] bytes = compressed ? comp : raw;
                    long coff = stored.size();
                    stored.writeBytes(bytes);
                    if (align4k) {
                        uoff = (uoff + 4095) & ~4095L;
                    }
                    while (plain.size() < uoff) {
                        plain.write(0);
                    }
                    plain.writeBytes(raw);
                    Chunk c = new Chunk(chunks.size(), coff, bytes.length, uoff, len, compressed,
                            ChunkDigest.digest(digester, raw, 0, len));
                    uoff += len;
                    chunks.add(c);
                    fileChunks.add(c);
                }
                files.add(fileChunks);
            }
            return new FakeBlob(this, stored.toByteArray(), plain.toByteArray());
        }
    }
}
