package dev.jnydus.cache.state;

import dev.jnydus.common.LittleEndian;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's persisted chunk map ({@code <blob_id>.blob.data.chunk_map}, nydus
 * {@code storage/src/cache/state/persist_map.rs}), byte for byte, so that a restarted daemon, or an
 * upstream nydusd taking over the same work_dir, reuses every chunk already fetched.
 *
 * <pre>
 * offset 0     u32 LE magic     0x424D4150
 * offset 4     u32 LE version   1
 * offset 8     u32 LE magic2    0x434D4150
 * offset 12    u32 LE all_ready 0x4D4D4150 once every chunk is ready, else 0
 * offset 16    zeros up to 4096
 * offset 4096  bitmap, ceil(chunk_count / 8) bytes; chunk i is byte i >> 3, mask 0x80 >> (i & 7)
 * </pre>
 *
 * Implementation notes. The authoritative state for this process is an in-memory bit array updated
 * with compare-and-set, so readers see a ready bit exactly when the writer's data is visible; the
 * file is a write-through copy (a memory map, as upstream) updated under a lock after the
 * in-memory bit flips. Upstream rejects a file of the wrong size or with a bad header, which fails
 * the mount; we rebuild such a file empty instead and say so in {@link #repairs()}: losing cached
 * readiness costs refetches, a failed mount costs the container.
 */
public final class PersistedChunkMap implements ChunkMap {
    private static final Logger LOG = LoggerFactory.getLogger(PersistedChunkMap.class);

    public static final int MAGIC1 = 0x424D_4150;
    public static final int MAGIC2 = 0x434D_4150;
    public static final int MAGIC_ALL_READY = 0x4D4D_4150;
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 4096;
    /** File name suffix appended to the data file name, as upstream. */
    public static final String SUFFIX = ".chunk_map";

    private final Path path;
    private final int chunkCount;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final AtomicLongArray bits;
    private final AtomicInteger ready = new AtomicInteger();
    private final List<String> repairs;
    private final Object fileLock = new Object();
    private volatile boolean closed;

    private PersistedChunkMap(Path path, int chunkCount, FileChannel channel, MappedByteBuffer map, List<String> repairs) {
        this.path = path;
        this.chunkCount = chunkCount;
        this.channel = channel;
        this.map = map;
        this.bits = new AtomicLongArray((chunkCount + 63) >>> 6);
        this.repairs = List.copyOf(repairs);
    }

    /** The size upstream requires for {@code chunkCount} chunks. */
    public static long fileSize(int chunkCount) {
        return HEADER_SIZE + ((chunkCount + 7L) >>> 3);
    }

    /**
     * Opens or creates the map at {@code path} for {@code chunkCount} chunks. A missing, empty or
     * all-zero file is initialised; a file of the wrong size or with a foreign header is rebuilt
     * empty (noted in {@link #repairs()}).
     */
    public static PersistedChunkMap open(Path path, int chunkCount) throws IOException {
        if (chunkCount <= 0) {
            throw new IllegalArgumentException("chunk count should be greater than 0, got " + chunkCount);
        }
        long expected = fileSize(chunkCount);
        List<String> repairs = new ArrayList<>();
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
        try {
            long size = ch.size();
            if (size == 0) {
                writeHeader(ch, expected);
            } else if (size != expected) {
                repairs.add("file size " + size + " does not match " + expected + " for " + chunkCount + " chunks; rebuilt empty");
                writeHeader(ch, expected);
            } else {
                ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(h, 0);
                int magic = h.getInt(0);
                int version = h.getInt(4);
                int magic2 = h.getInt(8);
                if (magic != MAGIC1) {
                    if (isAllZero(ch, expected)) {
                        // Upstream's race window between set_len and the header write.
                        repairs.add("all-zero file re-initialised");
                    } else {
                        repairs.add(String.format("bad magic 0x%08x; rebuilt empty", magic));
                    }
                    writeHeader(ch, expected);
                } else if (version >= 1 && magic2 != MAGIC2) {
                    repairs.add(String.format("bad magic2 0x%08x; rebuilt empty", magic2));
                    writeHeader(ch, expected);
                }
            }
            MappedByteBuffer mm = ch.map(FileChannel.MapMode.READ_WRITE, 0, expected);
            mm.order(ByteOrder.LITTLE_ENDIAN);
            PersistedChunkMap m = new PersistedChunkMap(path, chunkCount, ch, mm, repairs);
            m.load();
            for (String r : repairs) {
                LOG.warn("chunk map {}: {}", path, r);
            }
            return m;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static boolean isAllZero(FileChannel ch, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long pos = 0;
        while (pos < size) {
            buf.clear();
            int n = ch.read(buf, pos);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) != 0) {
                    return false;
                }
            }
            pos += n;
        }
        return true;
    }

    private static void writeHeader(FileChannel ch, long size) throws IOException {
        // As upstream: size first, then the header, each synced, so a crash leaves either an
        // all-zero file (re-initialised on open) or a valid empty map.
        ch.truncate(0);
        ByteBuffer last = ByteBuffer.allocate(1);
        ch.write(last, size - 1);
        ch.force(true);
        ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, MAGIC1).putInt(4, VERSION).putInt(8, MAGIC2).putInt(12, 0);
        ch.write(h, 0);
        ch.force(true);
    }

    /**
     * Scales {@code total} by the fraction of chunks the map file at {@code path} marks ready,
     * reading the file as it lies (for a blob no device has open, without opening or repairing
     * it): all of {@code total} when the header says every chunk is ready, 0 for a file with no
     * bitmap. Padding bits of the last bitmap byte count as chunks not ready.
     */
    public static long scaleByReady(Path path, long total) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        if (bytes.length <= HEADER_SIZE) {
            return 0;
        }
        if (LittleEndian.i32(bytes, 12) == MAGIC_ALL_READY) {
            return total;
        }
        long ready = 0;
        for (int i = HEADER_SIZE; i < bytes.length; i++) {
            ready += Integer.bitCount(bytes[i] & 0xff);
        }
        return total * ready / ((bytes.length - (long) HEADER_SIZE) * 8);
    }

    private void load() {
        boolean headerAllReady = map.getInt(12) == MAGIC_ALL_READY;
        int count = 0;
        for (int i = 0; i < chunkCount; i++) {
            int pos = HEADER_SIZE + (i >>> 3);
            int mask = 0x80 >>> (i & 7);
            boolean set = (map.get(pos) & mask) != 0;
            if (!set && headerAllReady) {
                map.put(pos, (byte) (map.get(pos) | mask));
                set = true;
            }
            if (set) {
                bits.getAndAccumulate(i >>> 6, 1L << (i & 63), (a, b) -> a | b);
                count++;
            }
        }
        ready.set(count);
        if (count == chunkCount && !headerAllReady) {
            map.putInt(12, MAGIC_ALL_READY);
            map.force();
        }
    }

    /** What was wrong with the file when it was opened, and how it was repaired; empty if nothing. */
    public List<String> repairs() {
        return repairs;
    }

    private void check(int index) {
        if (index < 0 || index >= chunkCount) {
            throw new IndexOutOfBoundsException("chunk index " + index + " exceeds chunk count " + chunkCount);
        }
    }

    @Override
    public int chunkCount() {
        return chunkCount;
    }

    /**
     * Ready in this process's bits, or, failing that, in the mapped file: another process sharing
     * the cache directory (the predecessor still serving during a hot upgrade, or another daemon
     * of the same snapshotter) may have stored the chunk since this map was loaded. Its bit
     * reaches our mapping through the page cache after its data was written, so adopting it never
     * promises bytes that are not there. Only misses pay for the look.
     */
    @Override
    public boolean isReady(int index) {
        check(index);
        long bit = 1L << (index & 63);
        if ((bits.get(index >>> 6) & bit) != 0) {
            return true;
        }
        return adoptFromFile(index, bit);
    }

    private boolean adoptFromFile(int index, long bit) {
        synchronized (fileLock) {
            if (closed || (map.get(HEADER_SIZE + (index >>> 3)) & (0x80 >>> (index & 7))) == 0) {
                return false;
            }
        }
        long prev = bits.getAndAccumulate(index >>> 6, bit, (a, b) -> a | b);
        if ((prev & bit) == 0) {
            ready.incrementAndGet();
        }
        return true;
    }

    @Override
    public boolean markReady(int index) {
        check(index);
        long bit = 1L << (index & 63);
        long prev = bits.getAndAccumulate(index >>> 6, bit, (a, b) -> a | b);
        if ((prev & bit) != 0) {
            return false;
        }
        int now = ready.incrementAndGet();
        synchronized (fileLock) {
            if (!closed) {
                int pos = HEADER_SIZE + (index >>> 3);
                map.put(pos, (byte) (map.get(pos) | (0x80 >>> (index & 7))));
                if (now == chunkCount) {
                    map.putInt(12, MAGIC_ALL_READY);
                    map.force();
                }
            }
        }
        return true;
    }

    @Override
    public boolean clearReady(int index) {
        check(index);
        long bit = 1L << (index & 63);
        long prev = bits.getAndAccumulate(index >>> 6, ~bit, (a, b) -> a & b);
        if ((prev & bit) == 0) {
            return false;
        }
        ready.decrementAndGet();
        synchronized (fileLock) {
            if (!closed) {
                if (map.getInt(12) == MAGIC_ALL_READY) {
                    map.putInt(12, 0);
                }
                int pos = HEADER_SIZE + (index >>> 3);
                map.put(pos, (byte) (map.get(pos) & ~(0x80 >>> (index & 7))));
            }
        }
        return true;
    }

    @Override
    public int readyCount() {
        return ready.get();
    }

    @Override
    public boolean isPersistent() {
        return true;
    }

    @Override
    public void close() {
        synchronized (fileLock) {
            if (closed) {
                return;
            }
            closed = true;
            map.force();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing chunk map {}: {}", path, e.toString());
        }
    }
}
