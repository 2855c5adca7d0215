package dev.jnydus.backend.http;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings one URL every interval and reports whether the status counts as healthy. Skips the ping
 * while the backend is idle longer than {@code pauseElapsed}, and when {@code wanted} says there
 * is nothing to learn (a mirror is only pinged while it is disabled, as upstream). Logs only
 * changes of state.
 */
final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    /** Receives each ping's verdict. */
    interface Listener {
        void healthy(boolean ok);
    }

    private final String name;
    private final HttpUrl pingUrl;
    private final Headers headers;
    private final IntPredicate healthyStatus;
    private final Supplier<OkHttpClient> client;
    private final Duration interval;
    private final Duration pauseElapsed;
    private final Activity activity;
    private final BooleanSupplier wanted;
    private final Listener listener;
    private volatile boolean lastOk = true;
    private ScheduledFuture<?> task;

    HealthChecker(String name, HttpUrl pingUrl, Headers headers, IntPredicate healthyStatus, OkHttpClient client,
            Duration interval, Duration pauseElapsed, Activity activity, BooleanSupplier wanted, Listener listener) {
        this(name, pingUrl, headers, healthyStatus, ClientSetup.ready(client), interval, pauseElapsed, activity, wanted,
                listener);
    }

    /** As above, with a client that may still be being set up (the first ping waits for it). */
    HealthChecker(String name, HttpUrl pingUrl, Headers headers, IntPredicate healthyStatus,
            Supplier<OkHttpClient> client, Duration interval, Duration pauseElapsed, Activity activity,
            BooleanSupplier wanted, Listener listener) {
        this.name = name;
        this.pingUrl = pingUrl;
        this.headers = headers;
        this.healthyStatus = healthyStatus;
        this.client = client;
        this.interval = interval;
        this.pauseElapsed = pauseElapsed;
        this.activity = activity;
        this.wanted = wanted;
        this.listener = listener;
    }

    /** One check now. Returns false without pinging when the backend is idle or no check is wanted. */
    boolean checkOnce() {
        if (!wanted.getAsBoolean() || activity.idleNanos() > pauseElapsed.toNanos()) {
            return false;
        }
        boolean ok;
        String why;
        Request req = new Request.Builder().url(pingUrl).headers(headers).get().build();
        try (Response r = client.get().newCall(req).execute()) {
            ok = healthyStatus.test(r.code());
            why = "HTTP " + r.code();
        } catch (IOException | RuntimeException e) {
            ok = false;
            why = e.toString();
        }
        if (ok != lastOk) {
            if (ok) {
                LOG.info("{} is healthy again ({} answered {})", name, Redact.url(pingUrl), why);
            } else {
                LOG.warn("{} is unhealthy ({}: {})", name, Redact.url(pingUrl), why);
            }
        }
        lastOk = ok;
        listener.healthy(ok);
        return true;
    }

    synchronized void start(ScheduledExecutorService scheduler) {
        if (task == null) {
            long ms = interval.toMillis();
            task = scheduler.scheduleWithFixedDelay(this::safeCheck, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void safeCheck() {
        try {
            checkOnce();
        } catch (RuntimeException e) {
            LOG.warn("health check of {} failed: {}", name, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }
}
