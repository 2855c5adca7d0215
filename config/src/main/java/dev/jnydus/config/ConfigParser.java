package dev.jnydus.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

/**
 * Format detection and syntax parsing (spec 2.1). The order is upstream's: JSON v2, TOML v2,
 * JSON v1. Instead of trying each reader blindly and reporting "failed to parse" when all fail,
 * the document is classified once so that the error names the key that is wrong:
 * <ul>
 *   <li>valid JSON whose {@code version} is an integer is v2 (serde accepts any u32 there and
 *       then fails validation unless it is 2);</li>
 *   <li>any other JSON object is v1; if that fails and a non-integer {@code version} is present,
 *       the {@code version} type error is reported instead, since the writer meant v2;</li>
 *   <li>text that is not JSON is tried as TOML, which is v2 only.</li>
 * </ul>
 * Unlike serde_json, duplicate keys are rejected everywhere (serde rejects them in struct fields
 * but keeps the last one inside free-form values such as v1 {@code device.backend.config}).
 * JSON is read by {@link JsonTrees}, without an {@code ObjectMapper}: every daemon start reads one.
 */
final class ConfigParser {
    /** TOML's mapper, made on first use: JSON configurations, the usual kind, never pay for it at start. */
    private static final class Toml {
        static final TomlMapper MAPPER = new TomlMapper();
    }

    /** A syntax tree and whether it came from TOML. */
    record Tree(JsonNode node, boolean toml) {
    }

    private ConfigParser() {
    }

    static NydusConfig parseNydusConfig(String text) throws ConfigException {
        Tree tree = parse(text);
        JsonNode node = tree.node();
        if (!node.isObject()) {
            throw ConfigException.parse("", "expected an object at the top level, got "
                    + JsonFields.describe(node));
        }
        JsonFields root = JsonFields.of(node, "");
        JsonNode version = node.get("version");
        if (tree.toml() || (version != null && version.isIntegralNumber())) {
            NydusConfig c = V2Reader.config(root);
            ConfigValidator.validate(c);
            return c;
        }
        try {
            return V1Converter.read(root);
        } catch (ConfigException e) {
            if (version != null) {
                // A non-integer version (e.g. "version": "2"): the writer meant v2, say so.
                root.requiredU32("version");
            }
            throw e;
        }
    }

    /** JSON if the text is JSON, else TOML; the error of the likelier format otherwise. */
    static Tree parse(String text) throws ConfigException {
        JacksonException jsonError = null;
        try {
            JsonNode tree = JsonTrees.read(text);
            if (tree != null) {
                return new Tree(tree, false);
            }
        } catch (JacksonException e) {
            jsonError = e;
        }
        try {
            JsonNode toml = Toml.MAPPER.readTree(text);
            return new Tree(toml == null || toml.isMissingNode() ? JsonNodeFactory.instance.objectNode() : toml, true);
        } catch (JacksonException e) {
            if (jsonError != null && looksLikeJson(text)) {
                throw ConfigException.parse("invalid JSON: " + describe(jsonError), jsonError);
            }
            throw ConfigException.parse("neither JSON nor TOML: " + describe(e), e);
        }
    }

    /** Strict JSON only (the singleton config file). */
    static JsonNode parseJson(String text) throws ConfigException {
        try {
            JsonNode tree = JsonTrees.read(text);
            if (tree == null) {
                throw ConfigException.parse("", "empty document");
            }
            return tree;
        } catch (JacksonException e) {
            throw ConfigException.parse("invalid JSON: " + describe(e), e);
        }
    }

    private static boolean looksLikeJson(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\uFEFF' || Character.isWhitespace(c)) {
                continue;
            }
            return c == '{';
        }
        return false;
    }

    private static String describe(JacksonException e) {
        JsonLocation loc = e.getLocation();
        String msg = e.getOriginalMessage();
        if (loc != null && loc.getLineNr() > 0) {
            return msg + " at line " + loc.getLineNr() + " column " + loc.getColumnNr();
        }
        return msg;
    }
}
