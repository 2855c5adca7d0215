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
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.TimeZone;

/**
 * Upstream's log line (spec 1.7, nydus {@code src/logger.rs}):
 * {@code [YYYY-MM-DD hh:mm:ss.ffffff +hh:mm] LEVEL message}, and for every level but INFO
 * {@code [YYYY-MM-DD hh:mm:ss.ffffff +hh:mm] LEVEL [File.java:line] message}. Caller data is
 * computed only for those levels, so INFO lines stay cheap. A throwable follows on its own lines.
 */
public final class NydusLogLayout extends LayoutBase<ILoggingEvent> {
    /**
     * The zone of the timestamps; null = the JVM's default, read through {@link TimeZone}: the
     * first use of {@code ZoneId}'s rules makes {@code ZoneRulesProvider} search every jar of the
     * class path for providers, and the first log line is on the way to the mount.
     */
    private ZoneId zone;
    private final TimeZone defaultZone = TimeZone.getDefault();

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

    /** {@code yyyy-MM-dd HH:mm:ss.SSSSSS +hh:mm}, the offset as chrono's {@code %:z} prints it (+00:00 for UTC). */
    private void appendTime(StringBuilder sb, Instant when) {
        int offset = zone != null ? zone.getRules().getOffset(when).getTotalSeconds()
                : defaultZone.getOffset(when.toEpochMilli()) / 1000;
        LocalDateTime t = LocalDateTime.ofEpochSecond(when.getEpochSecond(), when.getNano(), ZoneOffset.ofTotalSeconds(offset));
        pad(sb, t.getYear(), 4).append('-');
        pad(sb, t.getMonthValue(), 2).append('-');
        pad(sb, t.getDayOfMonth(), 2).append(' ');
        pad(sb, t.getHour(), 2).append(':');
        pad(sb, t.getMinute(), 2).append(':');
        pad(sb, t.getSecond(), 2).append('.');
        pad(sb, t.getNano() / 1000, 6).append(' ');
        int abs = Math.abs(offset);
        sb.append(offset < 0 ? '-' : '+');
        pad(sb, abs / 3600, 2).append(':');
        pad(sb, abs / 60 % 60, 2);
    }

    private static StringBuilder pad(StringBuilder sb, int value, int width) {
        String v = Integer.toString(value);
        for (int i = v.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(v);
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(128);
        Instant when = event.getInstant() != null ? event.getInstant() : Instant.ofEpochMilli(event.getTimeStamp());
        sb.append('[');
        appendTime(sb, when);
        sb.append("] ").append(event.getLevel().toString());
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
