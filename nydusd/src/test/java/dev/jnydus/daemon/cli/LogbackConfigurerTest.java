package dev.jnydus.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real Logback, real files: upstream's line format, levels, append and rotation setup. */
class LogbackConfigurerTest {
    private static final String TS = "\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} [+-]\\d\\d:\\d\\d\\]";
    private static final Logger LOG = LoggerFactory.getLogger(LogbackConfigurerTest.class);

    @TempDir
    Path dir;

    @AfterEach
    void backToStderr() throws Exception {
        new LogbackConfigurer().configure(LogLevel.INFO, Optional.empty(), 0);
    }

    @Test
    void writesUpstreamLineFormatToTheFileAndAppends() throws Exception {
        Path file = dir.resolve("nydusd.log");
        Files.writeString(file, "earlier line\n");

        new LogbackConfigurer(dir).configure(LogLevel.INFO, Optional.of("nydusd"), 0);
        LOG.info("mounted {}", "/mnt");
        LOG.warn("slow backend");
        LOG.debug("not at info");
        LOG.error("failed", new IllegalStateException("boom"));

        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("earlier line");
        assertThat(lines.get(1)).matches(TS + " INFO mounted /mnt");
        assertThat(lines.get(2)).matches(TS + " WARN \\[LogbackConfigurerTest\\.java:\\d+\\] slow backend");
        assertThat(lines.get(3)).matches(TS + " ERROR \\[LogbackConfigurerTest\\.java:\\d+\\] failed");
        assertThat(lines.get(4)).contains("IllegalStateException: boom");
        assertThat(String.join("\n", lines)).doesNotContain("not at info");
    }

    @Test
    void traceLevelLetsEverythingThrough() throws Exception {
        new LogbackConfigurer(dir).configure(LogLevel.TRACE, Optional.of("t.txt"), 0);
        LOG.trace("deep");
        LOG.debug("detail");

        List<String> lines = Files.readAllLines(dir.resolve("t.txt"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches(TS + " TRACE \\[LogbackConfigurerTest\\.java:\\d+\\] deep");
    }

    @Test
    void errorLevelDropsWarnings() throws Exception {
        new LogbackConfigurer(dir).configure(LogLevel.ERROR, Optional.of("e.log"), 0);
        LOG.warn("dropped");
        LOG.error("kept");

        assertThat(Files.readAllLines(dir.resolve("e.log"))).singleElement().asString().endsWith("] kept");
    }

    @Test
    void rotationKeepsTenCompressedFiles() throws Exception {
        new LogbackConfigurer(dir).configure(LogLevel.INFO, Optional.of("r.log"), 3);
        LOG.info("line");

        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Appender<?> a = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("nydusd");
        assertThat(a).isInstanceOf(RollingFileAppender.class);
        FixedWindowRollingPolicy p = (FixedWindowRollingPolicy) ((RollingFileAppender<?>) a).getRollingPolicy();
        assertThat(p.getMaxIndex()).isEqualTo(10);
        assertThat(p.getFileNamePattern()).isEqualTo(dir.resolve("r.log") + ".%i.gz");
        assertThat(Files.readAllLines(dir.resolve("r.log"))).singleElement().asString().endsWith("INFO line");
    }
}
