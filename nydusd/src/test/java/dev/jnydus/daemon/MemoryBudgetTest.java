package dev.jnydus.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    @Test
    void theLastMaxDirectMemorySizeWinsInHotSpotsOrder() {
        List<String> opts = MemoryBudget.jvmOptions(Map.of("JAVA_TOOL_OPTIONS", "-XX:MaxDirectMemorySize=1g",
                "_JAVA_OPTIONS", " -Xss1m  -XX:MaxDirectMemorySize=300M "),
                List.of("-Xmx1g", "-XX:MaxDirectMemorySize=64m", "-cp", "x.jar", "Main"));
        assertThat(opts).containsExactly("-XX:MaxDirectMemorySize=1g", "-Xmx1g", "-XX:MaxDirectMemorySize=64m", "-cp",
                "x.jar", "Main", "-Xss1m", "-XX:MaxDirectMemorySize=300M");
        assertThat(MemoryBudget.maxDirect(opts)).hasValue(300L << 20);
        assertThat(MemoryBudget.maxDirect(opts.subList(0, 6))).hasValue(64L << 20);
    }

    @Test
    void noFlagMeansTheHeapLimitAndUnreadableOptionsMeanAskHotSpot() {
        assertThat(MemoryBudget.maxDirect(List.of("-Xmx1g", "Main"))).isEqualTo(OptionalLong.empty());
        assertThat(MemoryBudget.maxDirect(List.of("@opts.txt", "Main"))).isNull();
        assertThat(MemoryBudget.maxDirect(List.of("-XX:VMOptionsFile=/etc/jvm"))).isNull();
        assertThat(MemoryBudget.maxDirect(List.of("-XX:MaxDirectMemorySize=lots"))).isNull();
    }

    @Test
    void sizesTakeHotSpotsSuffixes() {
        assertThat(MemoryBudget.size("4096")).isEqualTo(4096);
        assertThat(MemoryBudget.size("8k")).isEqualTo(8192);
        assertThat(MemoryBudget.size("2G")).isEqualTo(2L << 30);
        assertThat(MemoryBudget.size("1t")).isEqualTo(1L << 40);
        assertThat(MemoryBudget.size("")).isEqualTo(-1);
        assertThat(MemoryBudget.size("-1")).isEqualTo(-1);
        assertThat(MemoryBudget.size("99999999999999g")).isEqualTo(-1);
    }

    @Test
    void thisJvmsLimitsArePositive() {
        MemoryBudget b = MemoryBudget.ofThisJvm();
        assertThat(b.maxHeap()).isPositive();
        assertThat(b.maxDirect()).isPositive();
    }
}
