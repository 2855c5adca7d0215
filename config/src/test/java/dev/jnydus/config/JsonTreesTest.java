package dev.jnydus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link JsonTrees} reads and writes as the strict mapper it replaced on the start path does. */
class JsonTreesTest {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "[]", "null", "true", "\"s\"", "0", "-1", "2147483647", "2147483648", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "-9223372036854775809", "5.5", "1e3", "-0.0", "1.0E-7",
        "{\"version\": 2, \"backend\": {\"type\": \"localfs\", \"localfs\": {\"dir\": \"/d\"}}, \"list\": [1, \"a\", null,"
            + " false, {\"x\": []}]}",
        "{\"unicode\": \"caf\\u00e9 \\ud83d\\ude00 \\n\\t\\\"\\\\ /\"}"
    })
    void readsAndWritesAsTheMapper(String text) throws Exception {
        JsonNode expected = MAPPER.readTree(text);
        JsonNode actual = JsonTrees.read(text);
        assertThat(actual).isEqualTo(expected);
        assertThat(actual.getNodeType()).isEqualTo(expected.getNodeType());
        if (expected.isNumber()) {
            assertThat(actual.numberType()).isEqualTo(expected.numberType());
        }
        assertThat(JsonTrees.write(actual)).isEqualTo(expected.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "\n\t"})
    void noValueIsNull(String text) throws Exception {
        assertThat(JsonTrees.read(text)).isNull();
        assertThat(MAPPER.readTree(text).isMissingNode()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": 1, \"a\": 2}", "{\"a\": 1} {}", "{\"a\": 1} x", "[1, 2] 3", "{\"a\": 1,",
"{'a': 1}", "[1,]", "nul", "\ufeff {\"bom\": 1}", "{\"a\": {\"b\": 1, \"b\": 1}}"})
    void rejectsWithTheMappersMessage(String text) {
        String expected = message(text);
        assertThatThrownBy(() -> JsonTrees.read(text)).isInstanceOf(JacksonException.class)
                .satisfies(e -> assertThat(((JacksonException) e).getOriginalMessage()).isEqualTo(expected));
    }

    private static String message(String text) {
        try {
            MAPPER.readTree(text);
        } catch (JacksonException e) {
            return e.getOriginalMessage();
        }
        throw new AssertionError("the mapper accepts " + text);
    }
}
