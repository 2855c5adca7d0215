package dev.jnydus.backend.http;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import okhttp3.Headers;

/** A transport that records every request and answers from a script, in order. */
final class ScriptedTransport implements Transport {
    interface Step {
        RangeResponse answer(RangeRequest r) throws IOException;
    }

    final List<RangeRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final Deque<Step> script = new ArrayDeque<>();
    private Step otherwise;

    ScriptedTransport then(Step s) {
        script.add(s);
        return this;
    }

    ScriptedTransport thenStatus(int code) {
        return then(r -> response(r, code, Headers.of(), new byte[0]));
    }

    ScriptedTransport thenData(byte[] data) {
        return then(r -> response(r, 206, Headers.of(), data));
    }

    ScriptedTransport thenFail(String message) {
        return then(r -> {
            throw new IOException(message);
        });
    }

    ScriptedTransport otherwise(Function<RangeRequest, RangeResponse> f) {
        this.otherwise = f::apply;
        return this;
    }

    static RangeResponse response(RangeRequest r, int code, Headers headers, byte[] body) {
        return new RangeResponse(code, headers, body, r.url(), false);
    }

    @Override
    public synchronized RangeResponse execute(RangeRequest request) throws IOException {
        requests.add(request);
        Step s = script.poll();
        if (s == null) {
            if (otherwise == null) {
                throw new AssertionError("unscripted request " + request);
            }
            s = otherwise;
        }
        return s.answer(request);
    }

    RangeRequest last() {
        return requests.get(requests.size() - 1);
    }
}
