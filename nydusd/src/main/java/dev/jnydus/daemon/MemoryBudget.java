package dev.jnydus.daemon;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The memory this JVM may use: the heap limit ({@code -Xmx}) and the limit of direct buffers
 * ({@code -XX:MaxDirectMemorySize}, which defaults to the heap limit).
 *
 * <p>The direct limit is read from the JVM's options as the launcher and the environment gave
 * them, which costs nothing; HotSpot's diagnostic MXBean knows it for certain but takes 50–300 ms
 * of a start to load, so it is asked only when the options hold something this reading cannot
 * follow (an {@code @argfile}, {@code -XX:VMOptionsFile}, {@code -XX:Flags}).
 *
 * @param maxHeap bytes, {@link Runtime#maxMemory()}
 * @param maxDirect bytes
 */
public record MemoryBudget(long maxHeap, long maxDirect) {
    private static final String FLAG = "-XX:MaxDirectMemorySize=";

    /** The limits of the running JVM. */
    public static MemoryBudget ofThisJvm() {
        long heap = Runtime.getRuntime().maxMemory();
        List<String> options = jvmOptions(System.getenv(),
                ProcessHandle.current().info().arguments().map(Arrays::asList).orElse(List.of()));
        OptionalLong direct = maxDirect(options);
        long d = direct == null ? fromHotSpot(heap) : direct.orElse(heap);
        return new MemoryBudget(heap, d > 0 ? d : heap);
    }

    /**
     * The JVM's options in the order HotSpot applies them (a later one wins):
     * {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}, the command line, {@code _JAVA_OPTIONS}.
     */
    static List<String> jvmOptions(Map<String, String> env, List<String> commandLine) {
        List<String> out = new ArrayList<>();
        split(env.get("JAVA_TOOL_OPTIONS"), out);
        split(env.get("JDK_JAVA_OPTIONS"), out);
        out.addAll(commandLine);
        split(env.get("_JAVA_OPTIONS"), out);
        return out;
    }

    private static void split(String value, List<String> out) {
        if (value != null && !value.isBlank()) {
            out.addAll(Arrays.asList(value.trim().split("\\s+")));
        }
    }

    /**
     * The last {@code -XX:MaxDirectMemorySize} of {@code options}; empty when none is set (the limit
     * is then the heap's), {@code null} when the options name a file of further options.
     */
    static OptionalLong maxDirect(List<String> options) {
        OptionalLong found = OptionalLong.empty();
        for (String o : options) {
            if (o.startsWith("@") || o.startsWith("-XX:VMOptionsFile=") || o.startsWith("-XX:Flags=")
                    || o.startsWith("-Dsun.nio.MaxDirectMemorySize=")) {
                return null;
            }
            if (o.startsWith(FLAG)) {
                long v = size(o.substring(FLAG.length()));
                if (v < 0) {
                    return null;
                }
                found = OptionalLong.of(v);
            }
        }
        return found;
    }

    /** HotSpot's size syntax: digits with an optional k, m, g or t suffix; -1 if malformed. */
    static long size(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        char unit = Character.toLowerCase(s.charAt(s.length() - 1));
        int shift = switch (unit) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        try {
            long v = Long.parseLong(digits.toLowerCase(Locale.ROOT));
            return v < 0 || v > (Long.MAX_VALUE >> shift) ? -1 : v << shift;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long fromHotSpot(long heap) {
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
