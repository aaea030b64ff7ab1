package dev.duplex.bench.peers.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2's client: {@link WebSocketClientProtocolHandler} (which runs the
 * {@code WebSocketClientHandshaker}) on the NIO transport, one event loop thread, whole messages
 * through {@link WebSocketFrameAggregator}.
 *
 * Flow control, the Netty way: write while {@code Channel.isWritable()} (the write buffer water
 * marks are set to the window: high = window, low = window / 2), flush, and continue from
 * {@code channelWritabilityChanged}.
 */
public final class NettyClient implements ClientBench.Driver {
    public static void main(String[] args) {
        ClientBench.main("netty", new NettyClient(), args);
    }

    private static final int MAX_MESSAGE = 64 << 20;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    private Channel connect(URI uri, long window, SimpleChannelInboundHandler<WebSocketFrame> handler) throws Exception {
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .maxFramePayloadLength(MAX_MESSAGE)
                .handleCloseFrames(false)      // the handlers below see the server's close frame
                .build();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark((int) window / 2, (int) window))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new HttpClientCodec(),
                                new HttpObjectAggregator(8192),
                                new WebSocketClientProtocolHandler(config),
                                new WebSocketFrameAggregator(MAX_MESSAGE),
                                handler);
                    }
                });
        return bootstrap.connect(uri.getHost(), uri.getPort()).sync().channel();
    }

    @Override
    public ClientBench.Stream open(URI uri, ClientBench.Payload payload, ClientBench.Tally tally) throws Exception {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        StreamHandler handler = new StreamHandler(payload, tally, opened);
        Channel channel = connect(uri, payload.window, handler);
        channel.closeFuture().addListener(f -> {
            opened.completeExceptionally(new IllegalStateException("closed"));
            tally.closed("channel closed");
        });
        opened.get(30, TimeUnit.SECONDS);
        return new ClientBench.Stream() {
            @Override
            public void start() {
                channel.eventLoop().execute(handler::pump);
            }

            @Override
            public void close() throws Exception {
                channel.writeAndFlush(new CloseWebSocketFrame(1000, ""));
                channel.closeFuture().await(30, TimeUnit.SECONDS);
            }
        };
    }

    /** Sends from the event loop while the channel is writable; counts the echoes. */
    private static final class StreamHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final ClientBench.Payload payload;
        private final ClientBench.Tally tally;
        private final CompletableFuture<Void> opened;
        private ChannelHandlerContext ctx;
        private int sent;

        StreamHandler(ClientBench.Payload payload, ClientBench.Tally tally, CompletableFuture<Void> opened) {
            this.payload = payload;
            this.tally = tally;
            this.opened = opened;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                this.ctx = ctx;
                opened.complete(null);
            }
            super.userEventTriggered(ctx, evt);
        }

        void pump() {
            Channel ch = ctx.channel();
            while (sent < payload.count && ch.isWritable()) {
                // write (without flush) until the outbound buffer reaches the high water mark or
                // a batch is queued, then flush once: the usual Netty way to pipeline
                int batch = 0;
                while (sent < payload.count && ch.isWritable() && batch < 256) {
                    ctx.write(payload.binary
                            ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload.bytes))
                            : new TextWebSocketFrame(payload.text), ctx.voidPromise());
                    sent++;
                    batch++;
                }
                ctx.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel().isWritable() && this.ctx != null) {
                pump();
            }
            super.channelWritabilityChanged(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                tally.received(text.text());
            } else if (frame instanceof BinaryWebSocketFrame binary) {
                tally.received(binary.content().nioBuffer());
            } else if (frame instanceof CloseWebSocketFrame) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            tally.fail(cause);
            opened.completeExceptionally(cause);
            ctx.close();
        }
    }

    @Override
    public void connectAndClose(URI uri) throws Exception {
        CompletableFuture<Void> closeReceived = new CompletableFuture<>();
        Channel channel = connect(uri, 64 * 1024, new SimpleChannelInboundHandler<WebSocketFrame>() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                    ctx.writeAndFlush(new CloseWebSocketFrame(1000, ""));
                }
                super.userEventTriggered(ctx, evt);
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                if (frame instanceof CloseWebSocketFrame close && close.statusCode() == 1000) {
                    closeReceived.complete(null);
                }
                ctx.close();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                closeReceived.completeExceptionally(cause);
                ctx.close();
            }
        });
        if (!channel.closeFuture().await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("connection not closed after 30 s");
        }
        if (!closeReceived.isDone()) {
            throw new IllegalStateException("closed without the server's close frame");
        }
        closeReceived.get();
    }

    @Override
    public void shutdown() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
