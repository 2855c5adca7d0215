package dev.jnydus.daemon;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * The memory this JVM may use: the heap limit ({@code -Xmx}) and the limit of direct buffers
 * ({@code -XX:MaxDirectMemorySize}, which defaults to the heap limit).
 *
 * @param maxHeap bytes, {@link Runtime#maxMemory()}
 * @param maxDirect bytes
 */
public record MemoryBudget(long maxHeap, long maxDirect) {

    /** The limits of the running JVM. */
    public static MemoryBudget ofThisJvm() {
        long heap = Runtime.getRuntime().maxMemory();
        return new MemoryBudget(heap, maxDirect(heap));
    }

    private static long maxDirect(long heap) {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long v = Long.parseLong(hs.getVMOption("MaxDirectMemorySize").getValue());
            return v > 0 ? v : heap;
        } catch (RuntimeException e) {
            // Not HotSpot, or the flag is unknown: the JDK's default is the heap limit.
            return heap;
        }
    }
}
