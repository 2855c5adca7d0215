package dev.jnydus.daemon.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnydus.config.JsonTrees;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One API connection: turns each aggregated request into an {@link ApiRequest}, has the
 * dispatcher carry it out, and writes the answer (headers {@code Server: Nydus API} and
 * {@code Content-Type: application/json}, as upstream). Requests of one connection are answered
 * in order; the connection stays open unless the client asked otherwise or sent something that
 * is not HTTP.
 */
final class ApiChannelHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ApiChannelHandler.class);
    static final String SERVER = "Nydus API";

    private final ApiHandler handler;
    private final ExecutorService dispatcher;
    /** The previous request's answer on this connection: answers go out in request order. */
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    ApiChannelHandler(ApiHandler handler, ExecutorService dispatcher) {
        this.handler = handler;
        this.dispatcher = dispatcher;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.decoderResult().isFailure()) {
            LOG.debug("malformed API request: {}", req.decoderResult().cause().toString());
            ctx.writeAndFlush(errorResponse(ApiError.badRequest(), false)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        Map<String, String> query = new HashMap<>();
        for (Map.Entry<String, List<String>> e : uri.parameters().entrySet()) {
            if (!e.getValue().isEmpty()) {
                query.put(e.getKey(), e.getValue().get(0));
            }
        }
        HttpCall call = new HttpCall(req.method().name(), uri.rawPath(), query, ByteBufUtil.getBytes(req.content()));
        LOG.debug("<--- {} {}", call.method(), req.uri());
        CompletableFuture<Answer> answer = tail.handle((x, y) -> null).thenComposeAsync(
                x -> CompletableFuture.completedFuture(respond(call)), dispatcher);
        tail = answer;
        answer.whenComplete((a, failure) -> {
            FullHttpResponse response = a == null ? null : a.http();
            Runnable afterSent = a == null ? null : a.afterSent();
            if (failure != null) {
                // The dispatcher was shut down (the daemon is exiting) or the handler broke.
                boolean stopping = failure instanceof RejectedExecutionException
                        || failure.getCause() instanceof RejectedExecutionException;
                response = errorResponse(ApiError.payloadType("DaemonInfo",
                        stopping ? "the daemon is shutting down" : String.valueOf(failure)), false);
            }
            LOG.debug("---> {} {}", call.method(), response.status().code());
            ChannelFuture written;
            if (keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                written = ctx.writeAndFlush(response);
            } else {
                written = ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
            if (afterSent != null) {
                written.addListener(f -> runAfterSent(call, afterSent));
            }
        });
    }

    private static void runAfterSent(HttpCall call, Runnable afterSent) {
        try {
            afterSent.run();
        } catch (RuntimeException e) {
            LOG.error("after answering {} {}: {}", call.method(), call.path(), e.toString(), e);
        }
    }

    /** An HTTP answer and what to do once it has gone out. */
    private record Answer(FullHttpResponse http, Runnable afterSent) {
    }

    private Answer respond(HttpCall call) {
        try {
            ApiRequest request = HttpRoutes.parse(call);
            ApiResponse r = handler.handle(request);
            if (r instanceof ApiResponse.ThenRun t) {
                return new Answer(http(t.response()), t.afterSent());
            }
            return new Answer(http(r), null);
        } catch (ApiError e) {
            LOG.debug("{} {}: {} {}", call.method(), call.path(), e.status(), e.getMessage());
            return new Answer(errorResponse(e, true), null);
        } catch (RuntimeException e) {
            LOG.error("API request {} {} failed", call.method(), call.path(), e);
            return new Answer(errorResponse(ApiError.payloadType("DaemonInfo", e.toString()), true), null);
        }
    }

    private static FullHttpResponse http(ApiResponse r) {
        if (r instanceof ApiResponse.Json j) {
            return response(HttpResponseStatus.OK, j.body(), "application/json");
        }
        if (r instanceof ApiResponse.Text t) {
            return response(HttpResponseStatus.OK, t.body(), t.contentType());
        }
        FullHttpResponse empty = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        empty.headers().set(HttpHeaderNames.SERVER, SERVER).set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return empty;
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body, String contentType) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.SERVER, SERVER)
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    /** The error body {@code {"code": "UNDEFINED", "message": ...}} with the error's status. */
    static FullHttpResponse errorResponse(ApiError e, boolean keepAlive) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("code", "UNDEFINED").put("message", e.getMessage());
        FullHttpResponse r = response(HttpResponseStatus.valueOf(e.status()), JsonTrees.write(body), "application/json");
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("API connection failed: {}", cause.toString());
        ctx.close();
    }
}
