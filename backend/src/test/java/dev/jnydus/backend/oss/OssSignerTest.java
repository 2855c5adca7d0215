package dev.jnydus.backend.oss;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Alibaba Cloud's published example for the OSS header signature ("Include a V1 signature in the
 * Authorization header"): AccessKeyId 44CF9590006BF252F707, AccessKeySecret
 * OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV, PUT /oss-example/nelson.
 */
class OssSignerTest {
    private static final String ID = "44CF9590006BF252F707";
    private static final String SECRET = "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV";

    @Test
    void thePublishedExampleByteForByte() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Md5", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=");
        headers.put("Content-Type", "text/html");
        headers.put("Date", "Thu, 17 Nov 2005 18:49:58 GMT");
        headers.put("Host", "oss-example.oss-cn-hangzhou.aliyuncs.com");
        headers.put("X-OSS-Meta-Author", "foo@bar.com");
        headers.put("X-OSS-Magic", "abracadabra");
        String sts = OssSigner.stringToSign("PUT", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=", "text/html",
                "Thu, 17 Nov 2005 18:49:58 GMT", headers, "/oss-example/nelson");
        assertThat(sts).isEqualTo("PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\n"
                + "Thu, 17 Nov 2005 18:49:58 GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n"
                + "/oss-example/nelson");
        assertThat(OssSigner.signature(SECRET, sts)).isEqualTo("26NBxoKdsyly4EDv6inkoDft/yA=");
        assertThat(OssSigner.authorization(ID, SECRET, sts))
                .isEqualTo("OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=");
    }

    @Test
    void withoutOssHeadersTheResourceFollowsTheDate() {
        assertThat(OssSigner.stringToSign("GET", "", "", "Thu, 17 Nov 2005 18:49:58 GMT", Map.of("Range",
                "bytes=0-9"), "/oss-example/nelson")).isEqualTo("GET\n\n\nThu, 17 Nov 2005 18:49:58 GMT\n"
                        + "/oss-example/nelson");
    }

    @Test
    void theDateHasATwoDigitDay() {
        assertThat(OssSigner.httpDate(Instant.parse("2005-11-07T08:09:05Z")))
                .isEqualTo("Mon, 07 Nov 2005 08:09:05 GMT");
    }
}
