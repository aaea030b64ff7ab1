package dev.duplex.bench.peers.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;

import java.net.InetSocketAddress;

/**
 * Netty 4.2 echo server: {@code PORT [--deflate] [--epoll]}. The usual pipeline (HttpServerCodec,
 * HttpObjectAggregator for the upgrade request, WebSocketServerCompressionHandler with
 * {@code --deflate}, WebSocketServerProtocolHandler which answers pings and closes) and a handler
 * that writes every data frame back as a retained duplicate (no copy). One event loop thread
 * serves the listener and every connection: the server process is pinned to one core, and
 * every JVM server gets one I/O thread.
 */
public final class NettyEchoServer {
    private NettyEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        boolean epoll = false;
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--epoll")) {
                epoll = true;
            } else {
                rest.add(arg);
            }
        }
        ServerArgs a = ServerArgs.parse("NettyEchoServer", rest.toArray(String[]::new));
        IoHandlerFactory io = epoll ? epollFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channel = epoll ? epollChannel() : NioServerSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io);

        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true)          // any path: the load generator uses "/"
                .allowExtensions(a.deflate())
                .maxFramePayloadLength(64 << 20) // the default (64 KiB) would refuse 1 MiB messages
                .build();
        ChannelHandler echo = new Echo();
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new HttpServerCodec());
                        p.addLast(new HttpObjectAggregator(65536));
                        if (a.deflate()) {
                            p.addLast(new WebSocketServerCompressionHandler());
                        }
                        p.addLast(new WebSocketServerProtocolHandler(config));
                        p.addLast(echo);
                    }
                });
        Channel server = b.bind(new InetSocketAddress("127.0.0.1", a.port())).sync().channel();
        ServerArgs.ready(((InetSocketAddress) server.localAddress()).getPort());
        server.closeFuture().sync();
    }

    // The epoll classes (netty-transport-classes-epoll) reach bench/pom.xml only with runtime
    // scope, through netty-transport-native-epoll, so they are looked up by name.
    private static IoHandlerFactory epollFactory() throws ReflectiveOperationException {
        return (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler")
                .getMethod("newFactory").invoke(null);
    }

    private static Class<? extends ServerChannel> epollChannel() throws ClassNotFoundException {
        return Class.forName("io.netty.channel.epoll.EpollServerSocketChannel").asSubclass(ServerChannel.class);
    }

    /** Writes text and binary frames back; the protocol handler consumed pings and closes. */
    @ChannelHandler.Sharable
    static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                // SimpleChannelInboundHandler releases the frame after this method: retain the
                // duplicate we hand to write(). Flushing is batched per read (channelReadComplete).
                ctx.write(frame.retainedDuplicate());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
