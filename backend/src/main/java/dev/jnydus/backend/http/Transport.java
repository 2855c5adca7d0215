package dev.jnydus.backend.http;

import java.io.IOException;

/**
 * The end of the chain: sends one request and reads the answer. A successful read's body is
 * checked against the requested range here (start, length, content-range), so a wrong-length or
 * misplaced answer becomes an {@link IOException} and is never seen as data.
 */
@FunctionalInterface
public interface Transport {
    RangeResponse execute(RangeRequest request) throws IOException;
}
