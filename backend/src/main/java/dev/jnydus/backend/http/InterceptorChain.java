package dev.jnydus.backend.http;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * A fixed list of interceptors ending in a transport. Each {@link #execute} walks the list with a
 * fresh cursor (a copy with index + 1 per step, as OkHttp's {@code RealInterceptorChain}), so one
 * chain serves any number of threads.
 */
public final class InterceptorChain {
    private final List<Interceptor> interceptors;
    private final Transport transport;

    public InterceptorChain(List<Interceptor> interceptors, Transport transport) {
        this.interceptors = List.copyOf(interceptors);
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    public RangeResponse execute(RangeRequest request) throws IOException {
        return new Cursor(0, request).proceed(request);
    }

    private final class Cursor implements Interceptor.Chain {
        private final int index;
        private final RangeRequest request;

        Cursor(int index, RangeRequest request) {
            this.index = index;
            this.request = request;
        }

        @Override
        public RangeRequest request() {
            return request;
        }

        @Override
        public RangeResponse proceed(RangeRequest next) throws IOException {
            Objects.requireNonNull(next, "request");
            if (index >= interceptors.size()) {
                RangeResponse r = transport.execute(next);
                if (r == null) {
                    throw new IllegalStateException("transport " + transport.getClass().getName() + " returned null");
                }
                return r;
            }
            Interceptor interceptor = interceptors.get(index);
            RangeResponse r = interceptor.intercept(new Cursor(index + 1, next));
            if (r == null) {
                throw new IllegalStateException("interceptor " + interceptor.getClass().getName() + " returned null");
            }
            return r;
        }
    }
}
