package dev.jnydus.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random JSON-ish mutations of the example documents either parse (and then validate and round
 * trip) or raise {@link ConfigException}; no other exception may escape. Mutations change keys,
 * types and values in the tree, and bytes in the text.
 */
class ParseOrRejectProperties {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> KEYS = List.of("version", "id", "device", "backend", "type",
            "config", "cache", "rafs", "overlay", "mode", "fs_prefetch", "prefetch", "enable", "threads",
            "threads_count", "batch_size", "merging_size", "bandwidth_limit", "bandwidth_rate", "registry",
            "localfs", "oss", "s3", "localdisk", "http-proxy", "host", "repo", "auth", "proxy", "url",
            "timeout", "retry_limit", "work_dir", "filecache", "fscache", "dir", "blob_file", "alt_dirs",
            "external_backends", "patch", "mirrors", "config_v2", "backend_type", "backend_config",
            "cache_type", "cache_config", "prefetch_config", "metadata_path", "amplify_io", "addr",
            "device_path", "region", "endpoint", "bucket_name", "upper_dir", "blobs", "domain_id");
    private static final List<Supplier<JsonNode>> VALUES = List.of(
            () -> F.textNode(""), () -> F.textNode("x"), () -> F.textNode("direct"),
            () -> F.textNode("cached"), () -> F.textNode("registry"), () -> F.textNode("localfs"),
            () -> F.textNode("fscache"), () -> F.textNode("blobcache"), () -> F.textNode("http-proxy"),
            () -> F.textNode("/tmp"), () -> F.textNode("http://127.0.0.1:1"),
            () -> F.numberNode(0), () -> F.numberNode(-1), () -> F.numberNode(1), () -> F.numberNode(2),
            () -> F.numberNode(255), () -> F.numberNode(256), () -> F.numberNode(1024), () -> F.numberNode(1025),
            () -> F.numberNode(0x10000001L), () -> F.numberNode(4294967296L), () -> F.numberNode(Long.MAX_VALUE),
            () -> F.numberNode(BigInteger.ONE.shiftLeft(64)), () -> F.numberNode(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)),
            () -> F.numberNode(1.5), () -> F.numberNode(-0.0),
            () -> F.booleanNode(true), () -> F.booleanNode(false), F::nullNode,
            F::arrayNode, F::objectNode, () -> F.arrayNode().add("a").add(1),
            () -> F.objectNode().put("enable", true), () -> F.objectNode().put("work_dir", ""),
            () -> F.objectNode().put("dir", "/d"), () -> F.objectNode().put("host", "h").put("repo", "r"));

    @Provide
    Arbitrary<String> mutatedConfigs() {
        return Arbitraries.longs().map(seed -> mutate(Examples.CONFIGS, seed));
    }

    @Provide
    Arbitrary<String> mutatedEntries() {
        return Arbitraries.longs().map(seed -> mutate(Examples.ENTRIES, seed));
    }

    @Property(tries = 600)
    void configsParseOrRaiseConfigException(@ForAll("mutatedConfigs") String doc) throws Exception {
        NydusConfig c;
        try {
            c = NydusConfig.parse(doc);
        } catch (ConfigException e) {
            Statistics.label("configs").collect(e.kind());
            assertThat(e.getMessage()).startsWith(e.kind().phrase() + ": ");
            return;
        }
        Statistics.label("configs").collect("parsed");
        c.validate();
        assertThat(NydusConfig.parse(c.toJson())).isEqualTo(c);
        assertThat(NydusConfig.parse(c.toRedactedJson())).isEqualTo(c.withoutSecrets());
    }

    @Property(tries = 400)
    void blobCacheEntriesParseOrRaiseConfigException(@ForAll("mutatedEntries") String doc) throws Exception {
        try {
            BlobCacheEntry e = BlobCacheEntry.parse(doc);
            e.config().toNydusConfig().validate();
            Statistics.label("entries").collect("parsed");
        } catch (ConfigException e) {
            Statistics.label("entries").collect(e.kind());
            assertThat(e.getMessage()).startsWith(e.kind().phrase() + ": ");
        }
        try {
            SingletonConfig.parse("{\"blobs\": [" + doc + "]}");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 1000)
    void arbitraryTextParsesOrRaisesConfigException(@ForAll("textish") String text) {
        try {
            NydusConfig.parse(text);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(e.kind().phrase() + ": ");
        }
        try {
            BlobCacheEntry.parse(text);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    /** Short strings over the characters JSON and TOML care about, plus any code point. */
    @Provide
    Arbitrary<String> textish() {
        Arbitrary<String> structured = Arbitraries.strings()
                .withChars("{}[]\"',:=.0123456789-+eExtrufalsn#\\\n \t\u0000\u00e9")
                .ofMaxLength(60);
        Arbitrary<String> prefixed = structured.map(s -> "version = 2\n" + s);
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(40);
        return Arbitraries.oneOf(structured, prefixed, any);
    }

    /** An example (TOML ones as their JSON tree) with 1..4 tree mutations and maybe a text one. */
    static String mutate(List<String> examples, long seed) {
        Random r = new Random(seed);
        String name = examples.get(r.nextInt(examples.size()));
        JsonNode tree;
        try {
            tree = name.endsWith(".toml") ? new TomlMapper().readTree(Examples.text(name))
                    : JSON.readTree(Examples.text(name));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            mutateTree(tree, r);
        }
        String text = tree.toString();
        switch (r.nextInt(8)) {
            case 0:
                return text.substring(0, r.nextInt(text.length() + 1));
            case 1: {
                int at = r.nextInt(text.length() + 1);
                char c = "{}[]\",:0-.aetn \\".charAt(r.nextInt(16));
                return text.substring(0, at) + c + text.substring(at);
            }
            case 2: {
                int at = r.nextInt(text.length());
                return text.substring(0, at) + text.substring(at + 1);
            }
            default:
                return text;
        }
    }

    private static void mutateTree(JsonNode root, Random r) {
        List<ContainerNode<?>> containers = new ArrayList<>();
        collect(root, containers);
        ContainerNode<?> target = containers.get(r.nextInt(containers.size()));
        JsonNode value = VALUES.get(r.nextInt(VALUES.size())).get();
        if (target instanceof ObjectNode) {
            ObjectNode o = (ObjectNode) target;
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            int op = r.nextInt(4);
            if (names.isEmpty() || op == 0) {
                o.set(KEYS.get(r.nextInt(KEYS.size())), value);
            } else if (op == 1) {
                o.remove(names.get(r.nextInt(names.size())));
            } else if (op == 2) {
                o.set(names.get(r.nextInt(names.size())), value);
            } else {
                String old = names.get(r.nextInt(names.size()));
                JsonNode v = o.remove(old);
                o.set(KEYS.get(r.nextInt(KEYS.size())), v);
            }
        } else {
            ArrayNode a = (ArrayNode) target;
            if (a.isEmpty() || r.nextBoolean()) {
                a.add(value);
            } else {
                a.set(r.nextInt(a.size()), value);
            }
        }
    }

    private static void collect(JsonNode n, List<ContainerNode<?>> out) {
        if (n instanceof ContainerNode) {
            out.add((ContainerNode<?>) n);
        }
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
            collect(it.next(), out);
        }
    }
}
