package dev.jnydus.backend.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.MockResponse;
import okio.Buffer;

/** Answers a ranged GET or a HEAD for one blob held in memory, as a real server would. */
public final class RangeDispatcher {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    private RangeDispatcher() {
    }

    public static MockResponse serve(byte[] blob, String method, String range) {
        if (method.equals("HEAD")) {
            return new MockResponse().setResponseCode(200).setHeader("Content-Length", blob.length)
                    .setHeader("Accept-Ranges", "bytes");
        }
        if (range == null) {
            return new MockResponse().setResponseCode(200).setBody(new Buffer().write(blob));
        }
        Matcher m = RANGE.matcher(range);
        if (!m.matches()) {
            return new MockResponse().setResponseCode(400);
        }
        long start = Long.parseLong(m.group(1));
        long end = Math.min(Long.parseLong(m.group(2)), blob.length - 1L);
        if (start >= blob.length) {
            return new MockResponse().setResponseCode(416).setHeader("Content-Range", "bytes */" + blob.length);
        }
        return new MockResponse().setResponseCode(206)
                .setHeader("Content-Range", "bytes " + start + "-" + end + "/" + blob.length)
                .setBody(new Buffer().write(blob, (int) start, (int) (end - start + 1)));
    }
}
