package dev.jnydus.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlRedactionTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://user:password@host|http://user:***@host",
        "http://user:password@127.0.0.1:65001/path?q=a@b|http://user:***@127.0.0.1:65001/path?q=a@b",
        "https://token@proxy:8080|https://***@proxy:8080",
        "http://user:pa:ss@host|http://user:***@host",
        "http://user:p@ss@host/x|http://user:***@host/x",
        "http://user:password@|http://user:***@",
        "http://user:password@127.0.0.1:99999|http://user:***@127.0.0.1:99999",
        "user:password@host:3128|user:***@host:3128",
        "http://host:8080/a@b|http://host:8080/a@b",
        "http://host|http://host",
        "/run/dfdaemon.sock|/run/dfdaemon.sock",
        "''|''",
    })
    void masksTheUserInfoOfOneUrl(String url, String expected) {
        assertThat(UrlRedaction.redact(url)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://a:one@x\",\"ping_url\":\"http://b:two@y z|http://a:***@x\",\"ping_url\":\"http://b:***@y z",
        "http://a:one@x http://b:two@y|http://a:***@x http://b:***@y",
    })
    void masksEveryUrlOfAValueThatRunsIntoAnother(String text, String expected) {
        assertThat(UrlRedaction.redact(text)).isEqualTo(expected).doesNotContain("one").doesNotContain("two");
    }
}
