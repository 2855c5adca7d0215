package dev.jnydus.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Typed, path-aware access to one JSON/TOML object, with serde's rules: a key that is absent
 * takes its default, a key of the wrong type is an error, {@code null} is accepted only where
 * upstream has an {@code Option}, and unknown keys are ignored (logged at debug, as the
 * snapshotter writes several keys nydusd never reads).
 */
final class JsonFields {
    private static final Logger LOG = LoggerFactory.getLogger(JsonFields.class);

    static final BigInteger U8_MAX = BigInteger.valueOf(0xff);
    static final BigInteger U32_MAX = BigInteger.valueOf(0xffff_ffffL);
    static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final JsonNode node;
    private final String path;
    private final Set<String> read = new TreeSet<>();

    private JsonFields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** Wraps {@code node}, which must be an object. */
    static JsonFields of(JsonNode node, String path) throws ConfigException {
        if (node == null || !node.isObject()) {
            throw ConfigException.parse(path, "expected object, got " + describe(node));
        }
        return new JsonFields(node, path);
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String path() {
        return path;
    }

    String path(String key) {
        return join(path, key);
    }

    boolean has(String key) {
        return node.has(key);
    }

    /** The raw value (upstream {@code serde_json::Value}); null when absent. */
    JsonNode raw(String key) {
        read.add(key);
        return node.get(key);
    }

    /** The raw value of a key that must be present (any type, even null). */
    JsonNode requiredRaw(String key) throws ConfigException {
        JsonNode v = raw(key);
        if (v == null) {
            throw ConfigException.parse(path(key), "missing required key");
        }
        return v;
    }

    String string(String key, String dflt) throws ConfigException {
        JsonNode v = raw(key);
        return v == null ? dflt : asString(v, path(key));
    }

    String requiredString(String key) throws ConfigException {
        return asString(requiredRaw(key), path(key));
    }

    /** An {@code Option<String>}: absent and null both mean empty. */
    Optional<String> optionalString(String key) throws ConfigException {
        JsonNode v = raw(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        return Optional.of(asString(v, path(key)));
    }

    boolean bool(String key, boolean dflt) throws ConfigException {
        JsonNode v = raw(key);
        return v == null ? dflt : asBool(v, path(key));
    }

    boolean requiredBool(String key) throws ConfigException {
        return asBool(requiredRaw(key), path(key));
    }

    int u8(String key, int dflt) throws ConfigException {
        JsonNode v = raw(key);
        return v == null ? dflt : (int) asUnsigned(v, path(key), U8_MAX, "u8");
    }

    long u32(String key, long dflt) throws ConfigException {
        JsonNode v = raw(key);
        return v == null ? dflt : asUnsigned(v, path(key), U32_MAX, "u32");
    }

    /** A u64/usize; values above {@code Long.MAX_VALUE} saturate (every limit we check is far lower). */
    long u64(String key, long dflt) throws ConfigException {
        JsonNode v = raw(key);
        return v == null ? dflt : asUnsigned(v, path(key), U64_MAX, "u64");
    }

    long requiredU32(String key) throws ConfigException {
        return asUnsigned(requiredRaw(key), path(key), U32_MAX, "u32");
    }

    long requiredU64(String key) throws ConfigException {
        return asUnsigned(requiredRaw(key), path(key), U64_MAX, "u64");
    }

    List<String> stringList(String key) throws ConfigException {
        JsonNode v = raw(key);
        if (v == null) {
            return List.of();
        }
        String p = path(key);
        if (!v.isArray()) {
            throw ConfigException.parse(p, "expected array of strings, got " + describe(v));
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(asString(v.get(i), p + "[" + i + "]"));
        }
        return List.copyOf(out);
    }

    /** A {@code HashMap<String, String>}; insertion order is kept for stable output. */
    Map<String, String> stringMap(String key, boolean required) throws ConfigException {
        JsonNode v = required ? requiredRaw(key) : raw(key);
        if (v == null) {
            return Map.of();
        }
        String p = path(key);
        if (!v.isObject()) {
            throw ConfigException.parse(p, "expected object of strings, got " + describe(v));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            out.put(e.getKey(), asString(e.getValue(), join(p, e.getKey())));
        }
        return Collections.unmodifiableMap(out);
    }

    /** A nested struct with {@code #[serde(default)]}: absent means empty, null is an error. */
    Optional<JsonFields> object(String key) throws ConfigException {
        JsonNode v = raw(key);
        return v == null ? Optional.empty() : Optional.of(of(v, path(key)));
    }

    /** An {@code Option<Struct>}: absent and null both mean empty. */
    Optional<JsonFields> optionalObject(String key) throws ConfigException {
        JsonNode v = raw(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(of(v, path(key)));
    }

    JsonFields requiredObject(String key) throws ConfigException {
        return of(requiredRaw(key), path(key));
    }

    /** Elements of an array of objects; absent means empty. */
    List<JsonFields> objectList(String key, boolean required) throws ConfigException {
        JsonNode v = required ? requiredRaw(key) : raw(key);
        if (v == null) {
            return List.of();
        }
        String p = path(key);
        if (!v.isArray()) {
            throw ConfigException.parse(p, "expected array, got " + describe(v));
        }
        List<JsonFields> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(of(v.get(i), p + "[" + i + "]"));
        }
        return out;
    }

    /** Logs the keys that nothing read. Call once every field has been read. */
    void finish() {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!read.contains(k)) {
                LOG.debug("ignoring unknown configuration key {}", path(k));
            }
        }
    }

    static String asString(JsonNode v, String path) throws ConfigException {
        if (v == null || !v.isTextual()) {
            throw ConfigException.parse(path, "expected string, got " + describe(v));
        }
        return v.textValue();
    }

    static boolean asBool(JsonNode v, String path) throws ConfigException {
        if (v == null || !v.isBoolean()) {
            throw ConfigException.parse(path, "expected boolean, got " + describe(v));
        }
        return v.booleanValue();
    }

    static long asUnsigned(JsonNode v, String path, BigInteger max, String rustType)
            throws ConfigException {
        if (v == null || !v.isIntegralNumber()) {
            throw ConfigException.parse(path, "expected unsigned integer (" + rustType + "), got "
                    + describe(v));
        }
        BigInteger b = v.bigIntegerValue();
        if (b.signum() < 0 || b.compareTo(max) > 0) {
            throw ConfigException.parse(path, "integer " + b + " out of range for " + rustType
                    + " (0.." + max + ")");
        }
        return b.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : b.longValue();
    }

    static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        if (v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        if (v.isIntegralNumber()) {
            return "integer " + v.asText();
        }
        if (v.isNumber()) {
            return "floating point " + v.asText();
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isObject()) {
            return "object";
        }
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
