package dev.jnydus.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractMap.SimpleEntry;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The examples AWS publishes for S3 header-based SigV4 ("Signature Calculations for the
 * Authorization Header: Transferring Payload in a Single Chunk"): access key AKIAIOSFODNN7EXAMPLE,
 * secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, bucket examplebucket, us-east-1,
 * 20130524T000000Z.
 */
class SigV4SignerTest {
    private static final String ID = "AKIAIOSFODNN7EXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final Instant WHEN = Instant.parse("2013-05-24T00:00:00Z");
    private static final String HOST = "examplebucket.s3.amazonaws.com";

    private static Map<String, String> headers(String... kv) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", HOST);
        for (int i = 0; i < kv.length; i += 2) {
            h.put(kv[i], kv[i + 1]);
        }
        return h;
    }

    @Test
    void getObjectWithRange() {
        SigV4Signer.Signed s = SigV4Signer.sign("GET", "/test.txt", List.of(), headers("Range", "bytes=0-9",
                "x-amz-content-sha256", SigV4Signer.EMPTY_SHA256, "x-amz-date", "20130524T000000Z"),
                SigV4Signer.EMPTY_SHA256, WHEN, "us-east-1", "s3", ID, SECRET);
        assertThat(s.canonicalRequest()).isEqualTo("GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\n"
                + "range:bytes=0-9\nx-amz-content-sha256:" + SigV4Signer.EMPTY_SHA256
                + "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
                + SigV4Signer.EMPTY_SHA256);
        assertThat(s.stringToSign()).isEqualTo("AWS4-HMAC-SHA256\n20130524T000000Z\n"
                + "20130524/us-east-1/s3/aws4_request\n"
                + "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
        assertThat(s.signature()).isEqualTo("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        assertThat(s.authorization()).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
                + "us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    @Test
    void putObjectEncodesTheKeyAndSignsThePayloadHash() {
        String payload = HexFormat.of().formatHex(SigV4Signer.sha256("Welcome to Amazon S3."
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(payload).isEqualTo("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
        SigV4Signer.Signed s = SigV4Signer.sign("PUT", "/test$file.text", List.of(), headers(
                "Date", "Fri, 24 May 2013 00:00:00 GMT", "x-amz-date", "20130524T000000Z", "x-amz-storage-class",
                "REDUCED_REDUNDANCY", "x-amz-content-sha256", payload), payload, WHEN, "us-east-1", "s3", ID, SECRET);
        assertThat(s.canonicalRequest()).startsWith("PUT\n/test%24file.text\n\n");
        assertThat(s.signature()).isEqualTo("98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    }

    @Test
    void getBucketLifecycle() {
        SigV4Signer.Signed s = SigV4Signer.sign("GET", "/", List.of(new SimpleEntry<>("lifecycle", "")), headers(
                "x-amz-date", "20130524T000000Z", "x-amz-content-sha256", SigV4Signer.EMPTY_SHA256),
                SigV4Signer.EMPTY_SHA256, WHEN, "us-east-1", "s3", ID, SECRET);
        assertThat(s.signature()).isEqualTo("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    }

    @Test
    void listObjectsSortsTheQuery() {
        SigV4Signer.Signed s = SigV4Signer.sign("GET", "/", List.of(new SimpleEntry<>("prefix", "J"),
                new SimpleEntry<>("max-keys", "2")), headers("x-amz-date", "20130524T000000Z",
                        "x-amz-content-sha256", SigV4Signer.EMPTY_SHA256),
                SigV4Signer.EMPTY_SHA256, WHEN, "us-east-1", "s3", ID, SECRET);
        assertThat(s.signature()).isEqualTo("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
    }

    @Test
    void uriEncodingKeepsUnreservedAndSlashesOnly() {
        assertThat(SigV4Signer.canonicalUri("/photos/été 2013/a+b (1)~x_y-z.jpg"))
                .isEqualTo("/photos/%C3%A9t%C3%A9%202013/a%2Bb%20%281%29~x_y-z.jpg");
        assertThat(SigV4Signer.canonicalUri("/")).isEqualTo("/");
    }
}
