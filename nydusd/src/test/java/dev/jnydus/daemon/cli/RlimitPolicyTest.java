package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RlimitPolicyTest {
    @Test
    void zeroLeavesTheLimitAlone() throws Exception {
        assertThat(RlimitPolicy.effective(0, 100, 1024)).isEqualTo(-1);
    }

    @Test
    void requestIsCappedBySystemMaximumLessReserve() throws Exception {
        // min(file-max - 16384, 1e6) = 83616 when file-max = 100000.
        assertThat(RlimitPolicy.effective(1_000_000, 100_000, 1024)).isEqualTo(83_616);
        assertThat(RlimitPolicy.effective(50_000, 100_000, 1024)).isEqualTo(50_000);
        // Never above one million even on huge systems.
        assertThat(RlimitPolicy.effective(5_000_000, Long.MAX_VALUE, 1024)).isEqualTo(1_000_000);
    }

    @Test
    void aHigherCurrentSoftLimitRaisesTheCap() throws Exception {
        assertThat(RlimitPolicy.effective(2_000_000, 9_223_372_036_854_775_807L, 1_048_576)).isEqualTo(1_048_576);
    }

    @Test
    void tooSmallFileMaxFailsStartup() {
        assertThatThrownBy(() -> RlimitPolicy.effective(1000, 32767, 1024))
                .isInstanceOf(StartupException.class)
                .hasMessage("The fs.file-max sysctl is too low to allow a reasonable number of open files.");
    }
}
