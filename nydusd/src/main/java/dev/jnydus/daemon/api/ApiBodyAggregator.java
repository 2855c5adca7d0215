package dev.jnydus.daemon.api;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Netty's aggregator with the API's answer to a body over the limit: the JSON error body every
 * client of the API can decode, then the connection is closed (the rest of the body is not
 * read).
 */
final class ApiBodyAggregator extends HttpObjectAggregator {
    private final int limit;

    ApiBodyAggregator(int limit) {
        super(limit);
        this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse r = ApiChannelHandler.errorResponse(ApiError.payloadTooLarge(limit), false);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
