package dev.jnydus.backend.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnydus.backend.RequestSource;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class InterceptorChainTest {
    static final HttpUrl URL = HttpUrl.get("http://registry.test/v2/a/b/blobs/sha256:00");

    static RangeRequest read() {
        return RangeRequest.read("00", URL, 10, 5, RequestSource.ON_DEMAND);
    }

    @Test
    void runsInterceptorsInOrderAndEachSeesTheRequestThePreviousOneSent() throws Exception {
        List<String> seen = new ArrayList<>();
        Interceptor a = c -> {
            seen.add("a:" + c.request().header("X-Step"));
            return c.proceed(c.request().withHeader("X-Step", "a"));
        };
        Interceptor b = c -> {
            seen.add("b:" + c.request().header("X-Step"));
            return c.proceed(c.request().withHeader("X-Step", "b"));
        };
        ScriptedTransport t = new ScriptedTransport().thenData(new byte[5]);
        RangeResponse r = new InterceptorChain(List.of(a, b), t).execute(read());
        assertThat(r.code()).isEqualTo(206);
        assertThat(seen).containsExactly("a:null", "b:a");
        assertThat(t.last().header("X-Step")).isEqualTo("b");
    }

    @Test
    void anInterceptorMayProceedTwice() throws Exception {
        Interceptor twice = c -> {
            c.proceed(c.request());
            return c.proceed(c.request());
        };
        ScriptedTransport t = new ScriptedTransport().thenStatus(500).thenData(new byte[5]);
        assertThat(new InterceptorChain(List.of(twice), t).execute(read()).code()).isEqualTo(206);
        assertThat(t.requests).hasSize(2);
    }

    @Test
    void aNullResponseNamesTheCulprit() {
        Interceptor bad = c -> null;
        InterceptorChain chain = new InterceptorChain(List.of(bad), new ScriptedTransport());
        assertThatThrownBy(() -> chain.execute(read())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(bad.getClass().getName());
    }

    @Test
    void requestDescriptionHasNoQueryAndNoHeaders() {
        RangeRequest r = RangeRequest.read("00", HttpUrl.get("https://u:p@s3.test/x?X-Amz-Signature=secret"), 0, 4,
                RequestSource.ON_DEMAND).withHeader("Authorization", "Bearer secret-token");
        assertThat(r.toString()).doesNotContain("secret").doesNotContain("u:p").contains("GET https://u:***@s3.test/x");
        assertThat(r.rangeHeader()).isEqualTo("bytes=0-3");
    }

    @Test
    void rejectsEmptyOrNegativeRanges() {
        assertThatThrownBy(() -> RangeRequest.read("00", URL, -1, 5, RequestSource.ON_DEMAND))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RangeRequest.read("00", URL, 0, 0, RequestSource.ON_DEMAND))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
