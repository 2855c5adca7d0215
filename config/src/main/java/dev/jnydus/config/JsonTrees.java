package dev.jnydus.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * JSON text to and from Jackson's tree with jackson-core's streaming parser and generator alone.
 * An {@code ObjectMapper} (what {@code readTree} and {@code JsonNode.toString()} use) initialises a
 * few hundred classes before it reads a byte; every daemon start reads a configuration, so this
 * reads it as the mapper would (strict duplicate detection, no trailing tokens, the same node
 * types for the same numbers, the same messages) without one. The output of {@link #write} is
 * {@code JsonNode.toString()}'s: compact, in the tree's order. The daemon's API writes its answers
 * with it too, so that a daemon's start and its first answers initialise no {@code ObjectMapper}
 * either (its class initialisation alone builds a {@code Calendar} and the JDK's locale tables).
 */
public final class JsonTrees {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTrees() {
    }

    /**
     * The one JSON value {@code text} holds, or null if it holds none (only white space).
     *
     * @throws JacksonException for a syntax error, a duplicate key or a token after the value
     */
    public static JsonNode read(String text) throws JacksonException {
        return read(() -> FACTORY.createParser(text));
    }

    /**
     * As {@link #read(String)}, for bytes in any encoding JSON allows (detected as the mapper
     * detects it; malformed UTF-8 is a syntax error).
     */
    public static JsonNode read(byte[] json) throws JacksonException {
        return read(() -> FACTORY.createParser(json));
    }

    /** A parser over text or bytes already in memory. */
    private interface Source {
        JsonParser open() throws IOException;
    }

    private static JsonNode read(Source source) throws JacksonException {
        try (JsonParser p = source.open()) {
            return one(p);
        } catch (JacksonException e) {
            throw e;
        } catch (IOException e) {
            // A source in memory has no I/O to fail.
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode one(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            return null;
        }
        JsonNode value = value(p, t);
        JsonToken trailing = p.nextToken();
        if (trailing != null) {
            // databind's wording (DeserializationFeature.FAIL_ON_TRAILING_TOKENS).
            throw new JsonParseException(p, "Trailing token (of type " + trailing + ") found after value (bound as "
                    + "`com.fasterxml.jackson.databind.JsonNode`): not allowed as per "
                    + "`DeserializationFeature.FAIL_ON_TRAILING_TOKENS`", p.currentTokenLocation());
        }
        return value;
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, value(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    a.add(value(p, e));
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new JsonParseException(p, "Unexpected token " + t, p.currentTokenLocation());
        }
    }

    /** {@code node} as compact JSON text, as {@code node.toString()} writes it. */
    public static String write(JsonNode node) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT:
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
                return;
            case ARRAY:
                g.writeStartArray();
                for (JsonNode e : n) {
                    write(g, e);
                }
                g.writeEndArray();
                return;
            case STRING:
                g.writeString(n.textValue());
                return;
            case BOOLEAN:
                g.writeBoolean(n.booleanValue());
                return;
            case NULL:
            case MISSING:
                g.writeNull();
                return;
            case NUMBER:
                switch (n.numberType()) {
                    case INT:
                        g.writeNumber(n.intValue());
                        return;
                    case LONG:
                        g.writeNumber(n.longValue());
                        return;
                    case BIG_INTEGER:
                        g.writeNumber(n.bigIntegerValue());
                        return;
                    case FLOAT:
                        g.writeNumber(n.floatValue());
                        return;
                    case BIG_DECIMAL:
                        g.writeNumber(n.decimalValue());
                        return;
                    default:
                        g.writeNumber(n.doubleValue());
                        return;
                }
            default:
                // Binary and POJO nodes: never in a configuration; the mapper's text for them.
                g.writeRawValue(n.toString());
        }
    }
}
