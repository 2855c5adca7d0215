package dev.jnydus.daemon.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Programmatic Logback setup replacing {@code logback.xml}'s default: one appender on the root
 * logger, stderr or an appending file, with {@link NydusLogLayout}. Rotation keeps upstream's
 * count (10 gzip-compressed files) but names them {@code <file>.<n>.gz} rather than
 * flexi_logger's timestamps.
 */
public final class LogbackConfigurer implements LogConfigurer {
    static final int KEEP_ROTATED = 10;

    private final Path cwd;
    private final ErrorEvents errors;

    public LogbackConfigurer() {
        this(Paths.get("").toAbsolutePath());
    }

    LogbackConfigurer(Path cwd) {
        this(cwd, null);
    }

    LogbackConfigurer(Path cwd, ErrorEvents errors) {
        this.cwd = cwd;
        this.errors = errors;
    }

    /** Logs as the command line says and records every ERROR line in {@code errors}. */
    public LogbackConfigurer(ErrorEvents errors) {
        this(Path.of("").toAbsolutePath(), errors);
    }

    @Override
    public void configure(LogLevel level, Optional<String> logFile, long rotationSizeMib) throws StartupException {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext)) {
            throw new StartupException("logging backend is not Logback");
        }
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Path file = logFile.isPresent() ? LogFiles.resolve(logFile.get(), cwd) : null;
        ctx.reset();

        LayoutWrappingEncoder<ILoggingEvent> encoder = NydusLogLayout.encoder(ctx);

        Appender<ILoggingEvent> appender;
        if (file == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            console.setEncoder(encoder);
            appender = console;
        } else {
            try {
                Files.createDirectories(file.getParent());
            } catch (java.io.IOException e) {
                throw new StartupException("cannot create log directory " + file.getParent() + ": " + e, e);
            }
            appender = rotationSizeMib > 0 ? rolling(ctx, file, rotationSizeMib, encoder) : plainFile(file, encoder);
        }
        appender.setName("nydusd");
        appender.setContext(ctx);
        appender.start();
        if (!appender.isStarted()) {
            throw new StartupException("cannot open log file " + file);
        }
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(toLogback(level));
        root.addAppender(appender);
        if (errors != null) {
            AppenderBase<ILoggingEvent> events = new AppenderBase<>() {
                @Override
                protected void append(ILoggingEvent e) {
                    if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
                        errors.push(e.getFormattedMessage());
                    }
                }
            };
            events.setName("nydusd-events");
            events.setContext(ctx);
            events.start();
            root.addAppender(events);
        }
    }

    @Override
    public void setLevel(String level) {
        Level l = "off".equalsIgnoreCase(level) ? Level.OFF : toLogback(parseLevel(level));
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            throw new IllegalStateException("logging backend is not Logback");
        }
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(l);
    }

    private static LogLevel parseLevel(String level) {
        for (LogLevel l : LogLevel.values()) {
            if (l.name().equalsIgnoreCase(level)) {
                return l;
            }
        }
        throw new IllegalArgumentException("invalid log level " + level
                + " (off, error, warn, info, debug or trace)");
    }

    private static FileAppender<ILoggingEvent> plainFile(Path file, LayoutWrappingEncoder<ILoggingEvent> encoder) {
        FileAppender<ILoggingEvent> f = new FileAppender<>();
        f.setFile(file.toString());
        f.setAppend(true);
        f.setEncoder(encoder);
        return f;
    }

    private static RollingFileAppender<ILoggingEvent> rolling(LoggerContext ctx, Path file, long mib,
                                                             LayoutWrappingEncoder<ILoggingEvent> encoder) {
        RollingFileAppender<ILoggingEvent> r = new RollingFileAppender<>();
        r.setContext(ctx);
        r.setFile(file.toString());
        r.setAppend(true);
        r.setEncoder(encoder);
        FixedWindowRollingPolicy policy = new FixedWindowRollingPolicy();
        policy.setContext(ctx);
        policy.setParent(r);
        policy.setFileNamePattern(file + ".%i.gz");
        policy.setMinIndex(1);
        policy.setMaxIndex(KEEP_ROTATED);
        policy.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(new FileSize(mib * FileSize.MB_COEFFICIENT));
        trigger.start();
        r.setRollingPolicy(policy);
        r.setTriggeringPolicy(trigger);
        return r;
    }

    static Level toLogback(LogLevel level) {
        switch (level) {
            case TRACE:
                return Level.TRACE;
            case DEBUG:
                return Level.DEBUG;
            case WARN:
                return Level.WARN;
            case ERROR:
                return Level.ERROR;
            default:
                return Level.INFO;
        }
    }
}
