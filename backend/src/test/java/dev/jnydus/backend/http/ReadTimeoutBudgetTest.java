package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnydus.backend.BackendEnvironment;
import dev.jnydus.backend.options.MirrorOptions;
import dev.jnydus.backend.options.NetworkOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bound the cache puts on a reader's wait for another reader's fetch. */
class ReadTimeoutBudgetTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private Optional<Duration> budget(NetworkOptions net) throws Exception {
        try (HttpBackendCore core = new HttpBackendCore("registry", net, BackendEnvironment.system(scheduler))) {
            return core.readTimeoutBudget();
        }
    }

    @Test
    void coversEveryAttemptAndRedirectWithTheBackOffs() throws Exception {
        // Default policy: 3 on-demand retries, so 4 attempts of (call + one redirect) of 5 s each,
        // and 3 back-offs of at most 1 s.
        assertThat(budget(NetworkOptions.defaults())).contains(Duration.ofSeconds(43));
        // retry_limit 1: 2 attempts, back-off capped at 4 s.
        assertThat(budget(NetworkOptions.defaults().withRetryLimit(1).withTimeouts(Duration.ofSeconds(2),
                Duration.ofSeconds(1)))).contains(Duration.ofSeconds(12));
    }

    @Test
    void eachMirrorIsAnotherRoute() throws Exception {
        MirrorOptions m = MirrorOptions.of("http://127.0.0.1:1", java.util.Map.of());
        assertThat(budget(NetworkOptions.defaults().withMirrors(List.of(m, m)))).contains(Duration.ofSeconds(123));
    }

    @Test
    void noTimeoutMeansNoBound() throws Exception {
        assertThat(budget(NetworkOptions.defaults().withTimeouts(Duration.ZERO, Duration.ofSeconds(5)))).isEmpty();
    }
}
