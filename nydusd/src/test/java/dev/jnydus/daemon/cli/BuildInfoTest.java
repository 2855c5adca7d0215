package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BuildInfoTest {
    @Test
    void currentComesFromTheFilteredResource() {
        BuildInfo b = BuildInfo.current();

        assertThat(b.version()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(b.buildTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(b.profile()).isEqualTo("release");
        assertThat(b.gitCommit()).isNotBlank().doesNotContain("${");
        assertThat(b.runtime()).startsWith("java " + System.getProperty("java.version"));
    }

    @Test
    void programInfoLineMatchesUpstreamsStartupLog() {
        BuildInfo b = new BuildInfo("v1", "abc", "t", "release", "java 17");
        assertThat(b.programInfo()).isEqualTo("Program Version: v1, Git Commit: \"abc\", Build Time: \"t\", "
                + "Profile: \"release\", Rustc Version: \"java 17\"");
    }
}
