package dev.jnydus.daemon.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Upstream's log line (spec 1.7, nydus {@code src/logger.rs}):
 * {@code [YYYY-MM-DD hh:mm:ss.ffffff +hh:mm] LEVEL message}, and for every level but INFO
 * {@code [YYYY-MM-DD hh:mm:ss.ffffff +hh:mm] LEVEL [File.java:line] message}. Caller data is
 * computed only for those levels, so INFO lines stay cheap. A throwable follows on its own lines.
 */
public final class NydusLogLayout extends LayoutBase<ILoggingEvent> {
    // "xxx" prints +00:00 for UTC, as chrono's %:z does ("XXX" would print Z).
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS xxx");

    private ZoneId zone = ZoneId.systemDefault();

    /**
     * A started encoder writing this layout, for every appender the daemon sets up (the early
     * stderr one and the configured one), so that they cannot drift apart.
     */
    static LayoutWrappingEncoder<ILoggingEvent> encoder(LoggerContext ctx) {
        NydusLogLayout layout = new NydusLogLayout();
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.start();
        return encoder;
    }

    /** For tests: format timestamps in {@code zone}. */
    void setZone(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(128);
        Instant when = event.getInstant() != null ? event.getInstant() : Instant.ofEpochMilli(event.getTimeStamp());
        sb.append('[').append(TIME.format(when.atZone(zone))).append("] ").append(event.getLevel().toString());
        if (!Level.INFO.equals(event.getLevel())) {
            StackTraceElement[] caller = event.getCallerData();
            if (caller != null && caller.length > 0 && caller[0].getFileName() != null) {
                sb.append(" [").append(caller[0].getFileName()).append(':')
                        .append(Math.max(caller[0].getLineNumber(), 0)).append(']');
            } else {
                sb.append(" [<unnamed>:0]");
            }
        }
        sb.append(' ').append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            sb.append(ThrowableProxyUtil.asString(t)).append(CoreConstants.LINE_SEPARATOR);
        }
        return sb.toString();
    }
}
