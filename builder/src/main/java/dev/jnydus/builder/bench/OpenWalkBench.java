package dev.jnydus.builder.bench;

import dev.jnydus.rafs.metadata.RafsInode;
import dev.jnydus.rafs.metadata.RafsSuper;
import dev.jnydus.rafs.metadata.TreeWalker;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Opens a bootstrap and walks its whole tree (attributes, xattrs, symlink targets, extents of every
 * file), several times. Prints the open time, the walk times and the peak heap, one
 * {@code key=value} a line, for {@code scripts/bench/reader-walk}.
 */
public final class OpenWalkBench {
    private OpenWalkBench() {
    }

    public static void main(String[] args) throws Exception {
        Path boot = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            p.resetPeakUsage();
        }
        long retained = 0;
        long[] open = new long[rounds];
        long[] walk = new long[rounds];
        long entries = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            try (RafsSuper sb = RafsSuper.open(boot)) {
                sb.inode(sb.rootIno());
                long t1 = System.nanoTime();
                long[] n = {0};
                TreeWalker.walk(sb, e -> {
                    RafsInode i = e.inode();
                    i.mode();
                    i.xattrs();
                    if (i.isSymlink()) {
                        i.symlinkTarget();
                    }
                    if (i.isReg()) {
                        i.extents(0, i.size());
                    }
                    n[0]++;
                    return true;
                });
                long t2 = System.nanoTime();
                System.gc();
                retained = Math.max(retained, usedHeap());
                open[r] = t1 - t0;
                walk[r] = t2 - t1;
                entries = n[0];
            }
        }
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        System.out.printf("open_ms_first=%.3f%n", open[0] / 1e6);
        System.out.printf("walk_ms_first_cold=%.1f%n", walk[0] / 1e6);
        Arrays.sort(open);
        Arrays.sort(walk);
        System.out.println("entries=" + entries);
        System.out.printf("open_ms_first_median=%.3f%n", open[rounds / 2] / 1e6);
        System.out.printf("walk_ms_min=%.1f%n", walk[0] / 1e6);
        System.out.printf("walk_ms_median=%.1f%n", walk[rounds / 2] / 1e6);
        System.out.printf("peak_heap_mib=%.1f%n", peak / 1048576.0);
        System.out.printf("retained_heap_after_gc_mib=%.1f%n", retained / 1048576.0);
    }

    private static long usedHeap() {
        long used = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                used += p.getUsage().getUsed();
            }
        }
        return used;
    }
}
