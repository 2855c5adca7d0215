package dev.jnydus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each rejection carries its own message naming the key path. */
class RejectionMessagesTest {
    private static final String P = "failed to parse configuration information: ";
    private static final String I = "invalid configuration: ";

    private static String v2(String body) {
        return "{\"version\": 2" + (body.isEmpty() ? "" : ", " + body) + "}";
    }

    private static String registry(String fields) {
        return v2("\"backend\": {\"type\": \"registry\", \"registry\": {" + fields + "}}");
    }

    private static String v1(String backendConfig, String cache, String rest) {
        return "{\"device\": {\"backend\": {\"type\": \"registry\", \"config\": " + backendConfig + "}"
                + (cache.isEmpty() ? "" : ", \"cache\": " + cache) + "}, \"mode\": \"direct\""
                + (rest.isEmpty() ? "" : ", " + rest) + "}";
    }

    private static final String GOOD_REGISTRY = "{\"host\": \"h\", \"repo\": \"r\"}";

    static Stream<Arguments> configs() {
        return Stream.of(
                // document kind and syntax
                Arguments.of("[]", P + "expected an object at the top level, got array"),
                Arguments.of("{\"version\": 2,", P + "invalid JSON: "),
                Arguments.of("hello world", P + "neither JSON nor TOML: "),
                Arguments.of("{\"version\": 2, \"version\": 2}", P + "invalid JSON: Duplicate field 'version'"),
                Arguments.of("{\"version\": 2} trailing", P + "invalid JSON: "),
                Arguments.of("id = \"x\"\n", P + "version: missing required key"),
                Arguments.of("version = 1\n", I + "version: unsupported configuration version 1, expected 2"),
                Arguments.of("{\"version\": 3}", I + "version: unsupported configuration version 3, expected 2"),
                Arguments.of("{\"version\": \"2\"}", P + "version: expected unsigned integer (u32), got string"),
                Arguments.of("{\"version\": -2}", P + "version: integer -2 out of range for u32 (0..4294967295)"),
                // v2 backend
                Arguments.of(v2("\"backend\": {\"type\": \"foo\"}"), I + "backend.type: unknown backend type \"foo\""
                        + " (expected one of localfs, localdisk, oss, s3, registry, http-proxy)"),
                Arguments.of(v2("\"backend\": {}"), P + "backend.type: missing required key"),
                Arguments.of(v2("\"backend\": {\"type\": \"registry\"}"),
                        I + "backend.registry: missing configuration for backend type \"registry\""),
                Arguments.of(v2("\"backend\": {\"type\": \"localfs\", \"localfs\": {\"dir\": \"/d\"}, \"oss\": 7}"),
                        P + "backend.oss: expected object, got integer 7"),
                Arguments.of(registry("\"host\": 5, \"repo\": \"r\""),
                        P + "backend.registry.host: expected string, got integer 5"),
                Arguments.of(registry("\"host\": \"h\""), P + "backend.registry.repo: missing required key"),
                Arguments.of(registry("\"host\": \"\", \"repo\": \"r\""), I + "backend.registry.host: must not be empty"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"\""), I + "backend.registry.repo: must not be empty"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"r\", \"auth\": 1"),
                        P + "backend.registry.auth: expected string, got integer 1"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"r\", \"retry_limit\": 256"),
                        P + "backend.registry.retry_limit: integer 256 out of range for u8 (0..255)"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"r\", \"timeout\": -1"),
                        P + "backend.registry.timeout: integer -1 out of range for u32 (0..4294967295)"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"r\", \"timeout\": 5.5"),
                        P + "backend.registry.timeout: expected unsigned integer (u32), got floating point 5.5"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"r\", \"skip_verify\": \"yes\""),
                        P + "backend.registry.skip_verify: expected boolean, got string"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"r\", \"proxy\": {\"fallback\": \"yes\"}"),
                        P + "backend.registry.proxy.fallback: expected boolean, got string"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"r\", \"proxy\": null"),
                        P + "backend.registry.proxy: expected object, got null"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"r\", \"ca_cert_files\": [\"a\", 3]"),
                        P + "backend.registry.ca_cert_files[1]: expected string, got integer 3"),
                Arguments.of(v2("\"backend\": {\"type\": \"oss\", \"oss\": {\"bucket_name\": \"b\"}}"),
                        P + "backend.oss.endpoint: missing required key"),
                Arguments.of(v2("\"backend\": {\"type\": \"oss\", \"oss\": {\"endpoint\": \"e\", \"bucket_name\": \"\"}}"),
                        I + "backend.oss.bucket_name: must not be empty"),
                Arguments.of(v2("\"backend\": {\"type\": \"s3\", \"s3\": {\"endpoint\": \"\", \"region\": \"\", \"bucket_name\": \"b\"}}"),
                        I + "backend.s3.region: must not be empty"),
                Arguments.of(v2("\"backend\": {\"type\": \"s3\", \"s3\": {\"endpoint\": \"\", \"bucket_name\": \"b\"}}"),
                        P + "backend.s3.region: missing required key"),
                Arguments.of(v2("\"backend\": {\"type\": \"localfs\", \"localfs\": {}}"),
                        I + "backend.localfs: one of blob_file or dir must be set"),
                Arguments.of(v2("\"backend\": {\"type\": \"localfs\", \"localfs\": {\"dir\": \"/d\", \"alt_dirs\": \"/e\"}}"),
                        P + "backend.localfs.alt_dirs: expected array of strings, got string"),
                Arguments.of(v2("\"backend\": {\"type\": \"localdisk\", \"localdisk\": {}}"),
                        I + "backend.localdisk.device_path: must not be empty"),
                Arguments.of(v2("\"backend\": {\"type\": \"http-proxy\", \"http-proxy\": {\"addr\": \"ftp://x\"}}"),
                        I + "backend.http-proxy.addr: \"ftp://x\" is neither an http:// or https:// URL nor an "
                                + "existing absolute Unix socket path"),
                Arguments.of(v2("\"backend\": {\"type\": \"http-proxy\", \"http-proxy\": {\"addr\": \"/nonexistent/sock\"}}"),
                        I + "backend.http-proxy.addr: \"/nonexistent/sock\" is neither"),
                Arguments.of(v2("\"external_backends\": [{\"type\": \"t\", \"config\": {}}]"),
                        P + "external_backends[0].patch: missing required key"),
                Arguments.of(v2("\"external_backends\": [{\"type\": \"t\", \"patch\": {\"a\": 1}, \"config\": {}}]"),
                        P + "external_backends[0].patch.a: expected string, got integer 1"),
                // v2 cache
                Arguments.of(v2("\"cache\": {\"type\": \"memcache\"}"), I + "cache.type: unknown cache type \"memcache\""
                        + " (expected blobcache, filecache, fscache, dummycache or \"\")"),
                Arguments.of(v2("\"cache\": {\"type\": \"blobcache\"}"),
                        I + "cache.filecache: required for cache type \"blobcache\""),
                Arguments.of(v2("\"cache\": {\"type\": \"filecache\", \"filecache\": {\"work_dir\": \"\"}}"),
                        I + "cache.filecache.work_dir: must not be empty"),
                Arguments.of(v2("\"cache\": {\"type\": \"fscache\"}"), I + "cache.fscache: required for cache type \"fscache\""),
                Arguments.of(v2("\"cache\": {\"type\": \"fscache\", \"fscache\": {\"work_dir\": \"\"}}"),
                        I + "cache.fscache.work_dir: must not be empty"),
                Arguments.of(v2("\"cache\": {\"prefetch\": {}}"), P + "cache.prefetch.enable: missing required key"),
                Arguments.of(v2("\"cache\": {\"prefetch\": {\"enable\": true, \"threads\": 0}}"),
                        I + "cache.prefetch.threads: 0 is out of range 1..=1024"),
                Arguments.of(v2("\"cache\": {\"prefetch\": {\"enable\": true, \"threads\": 1025}}"),
                        I + "cache.prefetch.threads: 1025 is out of range 1..=1024"),
                Arguments.of(v2("\"cache\": {\"prefetch\": {\"enable\": true, \"batch_size\": 268435457}}"),
                        I + "cache.prefetch.batch_size: 268435457 exceeds the maximum of 268435456 (0x10000000)"),
                Arguments.of(v2("\"cache\": {\"prefetch\": {\"enable\": true, \"bandwidth_limit\": 4294967296}}"),
                        P + "cache.prefetch.bandwidth_limit: integer 4294967296 out of range for u32"),
                // v2 rafs and overlay
                Arguments.of(v2("\"rafs\": {\"mode\": \"lazy\"}"), I + "rafs.mode: must be \"direct\" or \"cached\", got \"lazy\""),
                Arguments.of(v2("\"rafs\": {\"batch_size\": 268435457}"),
                        I + "rafs.batch_size: 268435457 exceeds the maximum of 268435456 (0x10000000)"),
                Arguments.of(v2("\"rafs\": {\"prefetch\": {\"enable\": true, \"threads\": 2000}}"),
                        I + "rafs.prefetch.threads: 2000 is out of range 1..=1024"),
                Arguments.of(v2("\"rafs\": {\"prefetch\": null}"), P + "rafs.prefetch: expected object, got null"),
                Arguments.of(v2("\"rafs\": {\"enable_xattr\": 1}"), P + "rafs.enable_xattr: expected boolean, got integer 1"),
                Arguments.of(v2("\"overlay\": {\"upper_dir\": \"/u\"}"), P + "overlay.work_dir: missing required key"),
                // v1
                Arguments.of("{}", P + "device: missing required key"),
                Arguments.of("{\"device\": {\"backend\": {\"type\": \"registry\", \"config\": " + GOOD_REGISTRY + "}}}",
                        P + "mode: missing required key"),
                Arguments.of("{\"device\": {\"backend\": {\"type\": \"registry\"}}, \"mode\": \"direct\"}",
                        P + "device.backend.config: missing required key"),
                Arguments.of("{\"device\": {\"backend\": {\"type\": \"foo\", \"config\": {}}}, \"mode\": \"direct\"}",
                        I + "device.backend.type: unsupported backend type \"foo\""),
                Arguments.of(v1("{\"host\": 5, \"repo\": \"r\"}", "", ""),
                        P + "device.backend.config.host: expected string, got integer 5"),
                Arguments.of(v1("null", "", ""), P + "device.backend.config: expected object, got null"),
                Arguments.of(v1("{\"host\": \"\", \"repo\": \"r\"}", "", ""),
                        I + "device.backend.config.host: must not be empty"),
                Arguments.of(v1(GOOD_REGISTRY, "{\"type\": \"blobcache\"}", ""),
                        P + "device.cache.config: an object is required for cache type \"blobcache\" (may be {}), got nothing"),
                Arguments.of(v1(GOOD_REGISTRY, "{\"type\": \"fscache\", \"config\": null}", ""),
                        P + "device.cache.config: an object is required for cache type \"fscache\" (may be {}), got null"),
                Arguments.of(v1(GOOD_REGISTRY, "{\"type\": \"memcache\"}", ""),
                        I + "device.cache.type: unsupported cache type \"memcache\""),
                Arguments.of(v1(GOOD_REGISTRY, "{\"type\": \"blobcache\", \"config\": {\"work_dir\": \"\"}}", ""),
                        I + "device.cache.config.work_dir: must not be empty"),
                Arguments.of(v1(GOOD_REGISTRY, "", "\"fs_prefetch\": {\"enable\": true, \"threads_count\": 0}"),
                        I + "fs_prefetch.threads_count: 0 is out of range 1..=1024"),
                Arguments.of(v1(GOOD_REGISTRY, "", "\"fs_prefetch\": {\"enable\": true, \"merging_size\": 268435457}"),
                        I + "fs_prefetch.merging_size: 268435457 exceeds the maximum"),
                Arguments.of(v1(GOOD_REGISTRY, "", "\"fs_prefetch\": {\"bandwidth_rate\": -1}"),
                        P + "fs_prefetch.bandwidth_rate: integer -1 out of range for u32"),
                Arguments.of(v1(GOOD_REGISTRY, "", "\"mode\": \"lazy\"").replace("\"mode\": \"direct\", ", ""),
                        I + "mode: must be \"direct\" or \"cached\", got \"lazy\""),
                Arguments.of(v1(GOOD_REGISTRY, "", "\"amplify_io\": 268435457"),
                        I + "amplify_io: 268435457 exceeds the maximum of 268435456 (0x10000000)"),
                Arguments.of(v1(GOOD_REGISTRY, "", "\"digest_validate\": \"no\""),
                        P + "digest_validate: expected boolean, got string"),
                Arguments.of(v1(GOOD_REGISTRY, "null", ""), P + "device.cache: expected object, got null"),
                // a NUL in a file name: the kernel would see a shorter name (Java refuses to build the path)
                Arguments.of(v2("\"backend\": {\"type\": \"localfs\", \"localfs\": {\"dir\": \"/d\\u0000x\"}}"),
                        I + "backend.localfs.dir: contains a NUL character at 2 (\"/d\\0x\")"),
                Arguments.of(v2("\"backend\": {\"type\": \"localfs\", \"localfs\": {\"dir\": \"/d\", "
                        + "\"alt_dirs\": [\"/e\", \"\\u0000\"]}}"), I + "backend.localfs.alt_dirs: contains a NUL character at 0"),
                Arguments.of(v2("\"cache\": {\"type\": \"blobcache\", \"filecache\": {\"work_dir\": \"/c\\u0000\"}}"),
                        I + "cache.filecache.work_dir: contains a NUL character at 2"),
                Arguments.of(v2("\"cache\": {\"type\": \"fscache\", \"fscache\": {\"work_dir\": \"\\u0000/c\"}}"),
                        I + "cache.fscache.work_dir: contains a NUL character at 0"),
                Arguments.of(registry("\"host\": \"h\", \"repo\": \"r\", \"ca_cert_files\": [\"/ca\\u0000.pem\"]"),
                        I + "backend.registry.ca_cert_files: contains a NUL character at 3"),
                Arguments.of(v1("{\"dir\": \"/d\"}", "{\"type\": \"blobcache\", \"config\": {\"work_dir\": \"/w\\u0000\"}}", "")
                        .replace("\"registry\"", "\"localfs\""),
                        I + "device.cache.config.work_dir: contains a NUL character at 2"));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void configRejections(String document, String expectedPrefix) {
        assertThatThrownBy(() -> NydusConfig.parse(document))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(expectedPrefix);
    }

    static Stream<Arguments> entries() {
        String legacy = "{\"type\": \"bootstrap\", \"id\": \"b\", \"config\": {\"backend_type\": %s, "
                + "\"backend_config\": %s, \"cache_type\": \"fscache\", \"cache_config\": %s%s}}";
        return Stream.of(
                Arguments.of("{\"type\": \"bootstrap\", \"id\": \"b\"}",
                        I + "missing blob cache configuration information (neither config nor config_v2 is present)"),
                Arguments.of("{\"id\": \"b\", \"config_v2\": {\"version\": 2}}", P + "type: missing required key"),
                Arguments.of(String.format(legacy, "\"localfs\"", "{\"dir\": \"/d\"}", "{}",
                        ", \"prefetch_config\": {\"enable\": true, \"threads_count\": 1, \"merging_size\": 1}"),
                        P + "config.prefetch_config.bandwidth_rate: missing required key"),
                Arguments.of(String.format(legacy, "\"foo\"", "{}", "{}", ""),
                        I + "config.backend_type: unsupported backend type \"foo\""),
                Arguments.of(String.format(legacy, "\"localfs\"", "{}", "{}", ""),
                        I + "config.backend_config: one of blob_file or dir must be set"),
                Arguments.of(String.format(legacy, "\"localfs\"", "{\"dir\": \"/d\"}", "{\"work_dir\": \"\"}", ""),
                        I + "config.cache_config.work_dir: must not be empty"),
                Arguments.of(String.format(legacy, "\"localfs\"", "{\"dir\": \"/d\"}", "{}",
                        ", \"prefetch_config\": {\"enable\": true, \"threads_count\": 0, \"merging_size\": 1, \"bandwidth_rate\": 0}"),
                        I + "config.prefetch_config.threads_count: 0 is out of range 1..=1024"),
                Arguments.of(String.format(legacy, "\"localfs\"", "{\"dir\": \"/d\"}", "null", ""),
                        P + "config.cache_config: an object is required for cache type \"fscache\""),
                Arguments.of("{\"type\": \"bootstrap\", \"id\": \"b\", \"config_v2\": {\"version\": 2}}",
                        I + "config_v2.backend.type: unknown backend type \"\""),
                Arguments.of("{\"type\": \"bootstrap\", \"id\": \"b\", \"config_v2\": {\"version\": 1}}",
                        I + "config_v2.version: unsupported configuration version 1, expected 2"),
                Arguments.of("{\"type\": \"bootstrap\", \"id\": \"b\", \"config_v2\": {\"version\": 2, "
                        + "\"backend\": {\"type\": \"localfs\", \"localfs\": {\"dir\": \"/d\"}}, "
                        + "\"cache\": {\"type\": \"fscache\"}}}",
                        I + "config_v2.cache.fscache: required for cache type \"fscache\""));
    }

    @ParameterizedTest
    @MethodSource("entries")
    void blobCacheEntryRejections(String document, String expectedPrefix) {
        assertThatThrownBy(() -> BlobCacheEntry.parse(document))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(expectedPrefix);
    }

    @Test
    void singletonConfigMustBeJsonWithAnArrayOfEntries() throws Exception {
        assertThatThrownBy(() -> SingletonConfig.parse("blobs = []"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(P + "invalid JSON: ");
        assertThatThrownBy(() -> SingletonConfig.parse("{\"blobs\": {}}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(P + "blobs: expected array, got object");
        assertThatThrownBy(() -> SingletonConfig.parse("{\"blobs\": [{\"type\": \"bootstrap\"}]}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(P + "blobs[0].id: missing required key");
        assertThat(SingletonConfig.parse("{\"other\": 1}")).isEmpty();
        assertThat(SingletonConfig.parse("[1, 2]")).isEmpty();
        assertThat(SingletonConfig.parse("{\"blobs\": [" + Examples.text(Examples.ENTRY_V2) + "]}"))
                .singleElement().extracting(BlobCacheEntry::key).isEqualTo("domain1/image1");
    }

    @Test
    void deeplyNestedDocumentsAreRejectedWithoutExhaustingTheStack() {
        for (String doc : new String[] {"{\"a\":".repeat(200_000), "a = " + "[".repeat(200_000),
                "a = " + "{b=".repeat(100_000)}) {
            assertThatThrownBy(() -> NydusConfig.parse(doc))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("nesting depth");
        }
    }

    @Test
    void exceptionExposesKindPathAndDetail() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> NydusConfig.parse(v1("{\"host\": 5, \"repo\": \"r\"}", "", "")));
        assertThat(e.kind()).isEqualTo(ConfigException.Kind.PARSE);
        assertThat(e.keyPath()).isEqualTo("device.backend.config.host");
        assertThat(e.detail()).isEqualTo("expected string, got integer 5");

        ConfigException v = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> NydusConfig.parse(v2("\"rafs\": {\"mode\": \"x\"}")));
        assertThat(v.kind()).isEqualTo(ConfigException.Kind.INVALID);
        assertThat(v.keyPath()).isEqualTo("rafs.mode");
    }
}
