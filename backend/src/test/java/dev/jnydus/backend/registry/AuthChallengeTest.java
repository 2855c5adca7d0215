package dev.jnydus.backend.registry;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void bearerWithQuotedParameters() {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/ubuntu:pull\"");
        assertThat(c.isBearer()).isTrue();
        assertThat(c.realm()).isEqualTo("https://auth.docker.io/token");
        assertThat(c.service()).isEqualTo("registry.docker.io");
        assertThat(c.scope()).isEqualTo("repository:library/ubuntu:pull");
    }

    @Test
    void commasAndEqualsInsideQuotesSurvive() {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://a.test/token?x=1\", service=\"s\", "
                + "scope=\"repository:a/b:pull,push\", error=\"invalid_token\"");
        assertThat(c.realm()).isEqualTo("https://a.test/token?x=1");
        assertThat(c.scope()).isEqualTo("repository:a/b:pull,push");
        assertThat(c.params()).containsEntry("error", "invalid_token");
    }

    @Test
    void basicAndTokenValuesAndEscapes() {
        AuthChallenge b = AuthChallenge.parse("Basic realm=\"harbor\"");
        assertThat(b.isBasic()).isTrue();
        assertThat(b.isBearer()).isFalse();
        AuthChallenge t = AuthChallenge.parse("Bearer realm=https://a.test/t,service=reg");
        assertThat(t.realm()).isEqualTo("https://a.test/t");
        assertThat(t.service()).isEqualTo("reg");
        AuthChallenge e = AuthChallenge.parse("Bearer realm=\"a\\\"b\"");
        assertThat(e.realm()).isEqualTo("a\"b");
    }

    @Test
    void onlyTheFirstChallengeIsTaken() {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://a.test/t\",service=\"s\", Basic realm=\"x\"");
        assertThat(c.scheme()).isEqualTo("Bearer");
        assertThat(c.realm()).isEqualTo("https://a.test/t");
    }

    @Test
    void bearerWithoutRealmIsNotActionable() {
        assertThat(AuthChallenge.parse("Bearer service=\"s\"").isBearer()).isFalse();
        assertThat(AuthChallenge.parse("")).isNull();
        assertThat(AuthChallenge.parse(null)).isNull();
    }

    @Property
    void anyHeaderParsesOrIsRefusedWithoutThrowing(@ForAll String header) {
        AuthChallenge c = AuthChallenge.parse(header);
        if (c != null) {
            assertThat(c.scheme()).isNotEmpty();
        }
    }
}
