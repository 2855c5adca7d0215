package dev.jnydus.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a plain EROFS image holding one chunk-based regular file whose data device is the source
 * file itself: chunk k sits at device block {@code k * chunkSize / 4096}, and a chunk outside the
 * given data ranges is a NULL chunk, a hole in the image too. So a
 * 4 GiB+ sparse file or a 1 GiB fio file becomes an image in milliseconds, with no copy of the data
 * and with real holes, which mkfs.erofs 1.5 cannot make (it stores zero chunks).
 *
 * <p>Layout (4 KiB blocks, meta_blkaddr 0): superblock at 1024, device slot 0 at 1536, root
 * directory inode (nid 128, 64-byte extended, FLAT_PLAIN) at 4096, the file inode (nid 130,
 * extended, CHUNK_BASED with 8-byte chunk indexes naming device 1) at 4160 followed by its
 * indexes, then the root's directory block.
 */
final class SingleFileErofs {
    private static final int BLOCK = 4096;
    private static final long NULL_ADDR = 0xFFFF_FFFFL;

    private SingleFileErofs() {
    }

    /**
     * @param image the bootstrap to write
     * @param name the file's name in the root directory
     * @param source the file's data; also the data device ("device1") served by the backend
     * @param chunkSize a power of two, at least 4096
     * @param mtime seconds for every inode
     * @param dataRanges {offset, length} pairs where the source has data: chunks outside all of
     *     them become NULL chunks; {@code null} stores every chunk
     */
    static void write(Path image, String name, Path source, int chunkSize, long mtime, long[][] dataRanges)
            throws IOException {
        long size = Files.size(source);
        long chunks = (size + chunkSize - 1) / chunkSize;
        int chunkBits = Integer.numberOfTrailingZeros(chunkSize);
        long indexAt = 4096 + 64 + 64;
        long dirBlock = (indexAt + chunks * 8 + BLOCK - 1) / BLOCK;
        long imageSize = (dirBlock + 1) * BLOCK;
        ByteBuffer img = ByteBuffer.allocate((int) imageSize).order(ByteOrder.LITTLE_ENDIAN);

        // Superblock.
        int sb = 1024;
        img.putInt(sb, 0xE0F5E1E2);
        img.put(sb + 12, (byte) 12);
        img.putShort(sb + 14, (short) 128);
        img.putLong(sb + 16, 2);
        img.putLong(sb + 24, mtime);
        img.putInt(sb + 36, (int) (dirBlock + 1));
        img.putInt(sb + 40, 0);
        img.putInt(sb + 80, 0x4 | 0x8);
        img.putShort(sb + 86, (short) 1);
        img.putShort(sb + 88, (short) (1536 / 128));
        // Device slot 0: untagged, as many blocks as the source has.
        img.putInt(1536 + 64, (int) ((size + BLOCK - 1) / BLOCK));

        // Root directory: ".", "..", name.
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int dirSize = 3 * 12 + 1 + 2 + n.length;
        inode(img, 4096, (0 << 1) | 1, 040755, dirSize, (int) dirBlock, 2, mtime);
        int d = (int) (dirBlock * BLOCK);
        dirent(img, d, 128, 36, 2);
        dirent(img, d + 12, 128, 37, 2);
        dirent(img, d + 24, 130, 39, 1);
        img.put(d + 36, (byte) '.');
        img.put(d + 37, (byte) '.').put(d + 38, (byte) '.');
        img.put(d + 39, n);

        // The file: chunk-based, 8-byte indexes, chunk size as bits above the block size.
        int format = 0x20 | (chunkBits - 12);
        inode(img, 4160, (4 << 1) | 1, 0100644, size, format, 1, mtime);
        for (long k = 0; k < chunks; k++) {
            long start = k * chunkSize;
            long end = Math.min(size, start + chunkSize);
            boolean data = dataRanges == null || hasData(dataRanges, start, end);
            int e = (int) (indexAt + k * 8);
            img.putShort(e, (short) 0);
            img.putShort(e + 2, (short) (data ? 1 : 0));
            img.putInt(e + 4, (int) (data ? start / BLOCK : NULL_ADDR));
        }
        Files.write(image, img.array());
    }

    private static boolean hasData(long[][] ranges, long start, long end) {
        for (long[] r : ranges) {
            if (r[0] < end && r[0] + r[1] > start) {
                return true;
            }
        }
        return false;
    }

    private static void inode(ByteBuffer img, int at, int format, int mode, long size, int iu, int nlink, long mtime) {
        img.putShort(at, (short) format);
        img.putShort(at + 4, (short) mode);
        img.putLong(at + 8, size);
        img.putInt(at + 16, iu);
        img.putInt(at + 20, (at - 4096) / 64 + 1);
        img.putLong(at + 32, mtime);
        img.putInt(at + 44, nlink);
    }

    private static void dirent(ByteBuffer img, int at, long nid, int nameoff, int type) {
        img.putLong(at, nid);
        img.putShort(at + 8, (short) nameoff);
        img.put(at + 10, (byte) type);
    }
}
