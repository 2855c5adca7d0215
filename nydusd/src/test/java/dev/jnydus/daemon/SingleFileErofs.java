package dev.jnydus.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a plain EROFS image whose root directory holds chunk-based regular files, each with its
 * own data device that is the source file itself: chunk k of file i sits at block
 * {@code k * chunkSize / 4096} of device i+1 ("device1", "device2", ... as the reader names
 * untagged devices), and a chunk outside the given data ranges is a NULL chunk, a hole in the image
 * too. So a 4 GiB+ sparse file or a 1 GiB fio file becomes an image in milliseconds, with no copy
 * of the data and with real holes, which mkfs.erofs 1.5 cannot make (it stores zero chunks).
 *
 * <p>Layout (4 KiB blocks, meta_blkaddr 0): superblock at 1024, device slots from 1536, the root
 * directory inode (64-byte extended, FLAT_PLAIN) at 4096 (nid 128), each file's extended
 * CHUNK_BASED inode followed by its 8-byte chunk indexes, then the root's directory block.
 */
final class SingleFileErofs {
    private static final int BLOCK = 4096;
    private static final long NULL_ADDR = 0xFFFF_FFFFL;

    /**
     * One file.
     *
     * @param dataRanges {offset, length} pairs where the source has data: chunks outside all of
     *     them become NULL chunks; {@code null} stores every chunk
     */
    record Spec(String name, Path source, long[][] dataRanges) {
    }

    private SingleFileErofs() {
    }

    /** One file, its source being "device1". */
    static void write(Path image, String name, Path source, int chunkSize, long mtime, long[][] dataRanges)
            throws IOException {
        write(image, List.of(new Spec(name, source, dataRanges)), chunkSize, mtime);
    }

    static void write(Path image, List<Spec> files, int chunkSize, long mtime) throws IOException {
        int chunkBits = Integer.numberOfTrailingZeros(chunkSize);
        long[] sizes = new long[files.size()];
        long[] at = new long[files.size()];
        long pos = 4096 + 64;
        for (int i = 0; i < files.size(); i++) {
            sizes[i] = Files.size(files.get(i).source());
            at[i] = pos;
            long chunks = (sizes[i] + chunkSize - 1) / chunkSize;
            pos = (pos + 64 + chunks * 8 + 31) / 32 * 32;
        }
        long dirBlock = (pos + BLOCK - 1) / BLOCK;
        ByteBuffer img = ByteBuffer.allocate((int) ((dirBlock + 1) * BLOCK)).order(ByteOrder.LITTLE_ENDIAN);

        int sb = 1024;
        img.putInt(sb, 0xE0F5E1E2);
        img.put(sb + 12, (byte) 12);
        img.putShort(sb + 14, (short) 128);
        img.putLong(sb + 16, files.size() + 1);
        img.putLong(sb + 24, mtime);
        img.putInt(sb + 36, (int) (dirBlock + 1));
        img.putInt(sb + 80, 0x4 | 0x8);
        img.putShort(sb + 86, (short) files.size());
        img.putShort(sb + 88, (short) (1536 / 128));
        for (int i = 0; i < files.size(); i++) {
            img.putInt(1536 + 128 * i + 64, (int) ((sizes[i] + BLOCK - 1) / BLOCK));
        }

        // The root directory: ".", "..", then the files by name, as EROFS keeps them sorted.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(i -> files.get(i).name().getBytes(StandardCharsets.UTF_8),
                java.util.Arrays::compareUnsigned));
        int count = files.size() + 2;
        int d = (int) (dirBlock * BLOCK);
        int nameAt = count * 12;
        dirent(img, d, 128, nameAt, 2);
        img.put(d + nameAt++, (byte) '.');
        dirent(img, d + 12, 128, nameAt, 2);
        img.put(d + nameAt++, (byte) '.').put(d + nameAt++, (byte) '.');
        for (int k = 0; k < order.size(); k++) {
            int i = order.get(k);
            byte[] n = files.get(i).name().getBytes(StandardCharsets.UTF_8);
            dirent(img, d + 12 * (k + 2), at[i] / 32, nameAt, 1);
            img.put(d + nameAt, n);
            nameAt += n.length;
        }
        inode(img, 4096, 1, 040755, nameAt, (int) dirBlock, 2, mtime, 1);

        int format = 0x20 | (chunkBits - 12);
        for (int i = 0; i < files.size(); i++) {
            Spec f = files.get(i);
            inode(img, (int) at[i], (4 << 1) | 1, 0100644, sizes[i], format, 1, mtime, i + 2);
            long chunks = (sizes[i] + chunkSize - 1) / chunkSize;
            for (long k = 0; k < chunks; k++) {
                long start = k * chunkSize;
                long end = Math.min(sizes[i], start + chunkSize);
                boolean data = f.dataRanges() == null || hasData(f.dataRanges(), start, end);
                int e = (int) (at[i] + 64 + k * 8);
                img.putShort(e + 2, (short) (data ? i + 1 : 0));
                img.putInt(e + 4, (int) (data ? start / BLOCK : NULL_ADDR));
            }
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

    private static void inode(ByteBuffer img, int at, int format, int mode, long size, int iu, int nlink, long mtime,
                              int ino) {
        img.putShort(at, (short) format);
        img.putShort(at + 4, (short) mode);
        img.putLong(at + 8, size);
        img.putInt(at + 16, iu);
        img.putInt(at + 20, ino);
        img.putLong(at + 32, mtime);
        img.putInt(at + 44, nlink);
    }

    private static void dirent(ByteBuffer img, int at, long nid, int nameoff, int type) {
        img.putLong(at, nid);
        img.putShort(at + 8, (short) nameoff);
        img.put(at + 10, (byte) type);
    }
}
