package dev.jnydus.rafs.metadata;

import dev.jnydus.common.Compressor;
import dev.jnydus.common.Digester;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An opened bootstrap. Opening validates the superblock and the tables it names; inodes and
 * directories are decoded only when asked for, so opening a million-inode image costs the same as
 * opening a small one. Thread-safe: every method may be called from many threads.
 */
public interface RafsSuper extends Closeable {

    /** Opens a RAFS v5, RAFS v6 or plain EROFS bootstrap read-only. */
    static RafsSuper open(Path bootstrap) throws IOException {
        return RafsLoader.open(bootstrap);
    }

    /** Opens bootstrap bytes held in memory (tests, fuzzing). */
    static RafsSuper fromBytes(byte[] bootstrap) throws RafsFormatException {
        return RafsLoader.open(bootstrap);
    }

    RafsVersion version();

    /** Superblock flags (rafs-format 3.1); 0 for plain EROFS. */
    long flags();

    /** Whether uid/gid of inodes are meaningful (EXPLICIT_UID_GID; always true for plain EROFS). */
    boolean explicitUidGid();

    Compressor compressor();

    Digester digester();

    /** The RAFS chunk size (v5 {@code s_block_size}, v6 {@code s_chunk_size}). */
    int chunkSize();

    /** The EROFS block size; 4096 for v5 (unused there). */
    int blockSize();

    /** Number of inodes the superblock announces. */
    long inodeCount();

    long rootIno();

    /** Decodes the inode with this number; throws when there is none. */
    RafsInode inode(long ino) throws RafsFormatException;

    /**
     * Looks a name up in a directory; {@code null} when absent. "." and ".." answer what
     * {@link #readdir} lists for them (the root's ".." is the root).
     */
    RafsInode lookup(RafsInode dir, byte[] name) throws RafsFormatException;

    /**
     * Lists a directory from {@code offset} (0 = from the start), "." and ".." included, in the
     * order the image stores them. Offsets are stable: the same directory gives the same offset for
     * the same entry on every call.
     */
    void readdir(RafsInode dir, long offset, DirentVisitor visitor) throws RafsFormatException;

    /** The blob table. */
    List<BlobInfo> blobs();

    /**
     * The chunk-table record of chunk {@code chunkIndex} of blob {@code blobIndex}, for a cache that
     * walks a blob in storage order; {@code null} when the image keeps no chunk table (v5, plain
     * EROFS) or the table has no such chunk. The record's {@code fileOffset} is that of the first
     * file that used the chunk.
     */
    default ChunkRef chunkRecord(int blobIndex, int chunkIndex) throws RafsFormatException {
        return null;
    }

    /**
     * How many distinct chunks of a blob the chunk table names (when that equals the blob's chunk
     * count, {@link #chunkRecord} answers for every chunk of it); -1 without a chunk table.
     */
    default int chunkRecords(int blobIndex) throws RafsFormatException {
        return -1;
    }

    /** The prefetch table: inode numbers, in table order. */
    long[] prefetchInodes();

    /** Reads bootstrap bytes (for {@link FileExtent.Inline} extents). */
    void readBootstrap(long offset, ByteBuffer dst) throws RafsFormatException;

    /** Size of the bootstrap file in bytes. */
    long bootstrapSize();

    /** The bootstrap file. */
    Path path();

    /**
     * A read-only view of the memory-mapped bootstrap, for a caller that manages the mapping's
     * resident pages (the daemon drops them from its resident set after the whole-image check);
     * empty when the bootstrap is not a file mapping (bytes in memory).
     */
    default Optional<ByteBuffer> mappedMetadata() {
        return Optional.empty();
    }
}
