package dev.jnydus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Credentials never reach toString() or the redacted JSON; the full JSON keeps them. */
class SecretsTest {
    private static final List<String> SECRETS = List.of("dXNlcjpwYXNzd29yZA==", "EXAMPLEKEYID",
            "EXAMPLESECRET", "tok3n", "fc4a7db5614afc2f400e9478bebed1aefdbc9d7cd03210b84f144683a7a6fd1a");

    private static final String ALL_SECRETS_V2 = "{\"version\": 2, \"backend\": {\"type\": \"registry\","
            + " \"registry\": {\"host\": \"h\", \"repo\": \"r\", \"auth\": \"dXNlcjpwYXNzd29yZA==\","
            + " \"registry_token\": \"tok3n\"}},"
            + " \"cache\": {\"type\": \"filecache\", \"filecache\": {\"work_dir\": \"/c\", \"enable_encryption\": true,"
            + " \"encryption_key\": \"fc4a7db5614afc2f400e9478bebed1aefdbc9d7cd03210b84f144683a7a6fd1a\"}}}";

    @Test
    void registryAndCacheSecretsAreRedacted() throws Exception {
        NydusConfig c = NydusConfig.parse(ALL_SECRETS_V2);

        assertNoSecrets(c.toString());
        assertNoSecrets(c.toRedactedJson());
        assertThat(c.toString()).contains("auth=<redacted>", "registryToken=<redacted>", "encryptionKey=<redacted>");
        assertThat(c.toJson()).contains("dXNlcjpwYXNzd29yZA==", "tok3n", "fc4a7db5");
        NydusConfig stripped = NydusConfig.parse(c.toRedactedJson());
        RegistryConfig r = (RegistryConfig) stripped.backend().get();
        assertThat(r.auth()).isEmpty();
        assertThat(r.registryToken()).isEmpty();
        assertThat(stripped.cache().get().fileCache().get().encryptionKey()).isEmpty();
        assertThat(stripped.cache().get().fileCache().get().enableEncryption()).isTrue();
    }

    @Test
    void ossAndS3KeysAreRedacted() throws Exception {
        for (String name : List.of(Examples.V1_OSS, Examples.V2_S3)) {
            NydusConfig c = NydusConfig.parse(Examples.text(name));
            assertNoSecrets(c.toString());
            assertNoSecrets(c.toRedactedJson());
            assertThat(c.toJson()).contains("EXAMPLEKEYID", "EXAMPLESECRET");
            assertThat(c.withoutSecrets().backend().get().toString()).contains("accessKeyId=\"\"");
        }
    }

    @Test
    void blobCacheEntriesDoNotLeakInToString() throws Exception {
        for (String name : Examples.ENTRIES) {
            BlobCacheEntry e = BlobCacheEntry.parse(Examples.text(name));
            assertNoSecrets(e.toString());
            assertNoSecrets(e.config().toNydusConfig().toRedactedJson());
        }
    }

    @Test
    void mirrorHeaderValuesAreNotPrinted() throws Exception {
        MirrorConfig m = new MirrorConfig("h", "", java.util.Map.of("Authorization", "Basic dXNlcjpwYXNzd29yZA=="),
                5, 5, 300, false);
        assertNoSecrets(m.toString());
        assertThat(m.toString()).contains("Authorization");
    }

    @Test
    void userInfoOfProxyMirrorAndHttpProxyUrlsIsMasked() throws Exception {
        NydusConfig c = NydusConfig.parse("{\"version\": 2, \"backend\": {\"type\": \"registry\", \"registry\": {"
                + "\"host\": \"h\", \"repo\": \"r\", \"proxy\": {\"url\": \"http://user:pr0xypass@127.0.0.1:65001\","
                + " \"ping_url\": \"http://user:pr0xypass@127.0.0.1:65001/server/ping\"},"
                + " \"mirrors\": [{\"host\": \"http://m:m1rrorpass@127.0.0.1:65002\"}]}}}");
        for (String text : List.of(c.toString(), c.toRedactedJson())) {
            assertThat(text).doesNotContain("pr0xypass").doesNotContain("m1rrorpass")
                    .contains("http://user:***@127.0.0.1:65001", "http://m:***@127.0.0.1:65002");
        }
        assertThat(c.toJson()).contains("pr0xypass", "m1rrorpass");

        NydusConfig h = NydusConfig.parse("{\"version\": 2, \"backend\": {\"type\": \"http-proxy\", \"http-proxy\": {"
                + "\"addr\": \"http://user:h77ppass@127.0.0.1:8000\"}}}");
        assertThat(h.toString()).doesNotContain("h77ppass").contains("http://user:***@127.0.0.1:8000");
        assertThat(h.toRedactedJson()).doesNotContain("h77ppass").contains("http://user:***@127.0.0.1:8000");
    }

    @Test
    void aRejectedHttpProxyAddressIsQuotedWithoutItsPassword() {
        assertThatThrownBy(() -> NydusConfig.parse("{\"version\": 2, \"backend\": {\"type\": \"http-proxy\","
                + " \"http-proxy\": {\"addr\": \"ftp://user:h77ppass@127.0.0.1:8000\"}}}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("\"ftp://user:***@127.0.0.1:8000\" is neither")
                .message().doesNotContain("h77ppass");
    }

    private static void assertNoSecrets(String text) {
        for (String s : SECRETS) {
            assertThat(text).doesNotContain(s);
        }
    }
}
