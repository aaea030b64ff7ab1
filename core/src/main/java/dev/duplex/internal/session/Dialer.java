package dev.duplex.internal.session;

import dev.duplex.WebSocketOptions;
import dev.duplex.internal.url.WebSocketUrl;

import dev.duplex.internal.transport.ChannelHandler;
import dev.duplex.internal.transport.EventLoop;
import dev.duplex.internal.transport.TcpChannel;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;

/**
 * Reaches a WebSocket server's byte stream for a client: resolves the name (off the loop), connects
 * directly or through the configured HTTP proxy's CONNECT tunnel, and sets up TLS for wss://
 * (SNI, and hostname verification unless switched off).
 */
public final class Dialer {
    /** Name lookups block, so they run here rather than on an event loop. */
    private static final Executor RESOLVER = resolverPool();
    private static final List<String> TLS_VERSIONS = List.of("TLSv1.3", "TLSv1.2");

    private Dialer() {}

    /**
     * Starts connecting; {@code handler} hears the outcome on {@code loop}. Errors before a
     * channel exists (unknown host, bad TLS setup) go to {@code failed}.
     *
     * @param givenUp checked on the loop just before connecting (the attempt may have timed out)
     * @param beforeLookup run first on the resolver thread, before the name lookup
     */
    public static void dial(WebSocketUrl url, WebSocketOptions options, EventLoop loop, ChannelHandler handler,
                     BooleanSupplier givenUp, Consumer<Throwable> failed, Runnable beforeLookup) {
        SSLEngine engine;
        try {
            engine = url.secure() ? clientEngine(url, options) : null;
        } catch (IOException | RuntimeException e) {
            failed.accept(e);
            return;
        }
        InetSocketAddress proxy = options.proxy() != null ? options.proxy()
                : options.systemProxy() ? systemProxy(url) : null;
        String host = proxy != null ? proxy.getHostString() : url.host();
        int port = proxy != null ? proxy.getPort() : url.port();
        String tunnelTarget = proxy == null ? null : url.hostHeaderWithPort();
        CompletableFuture.supplyAsync(() -> {
            beforeLookup.run();
            return resolve(host, port, proxy != null);
        }, RESOLVER).whenComplete((address, error) -> {
            if (error != null) {
                failed.accept(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
                return;
            }
            loop.execute(() -> {
                if (!givenUp.getAsBoolean()) {
                    TcpChannel.connect(loop, address, 0, handler, tunnelTarget, options.proxyAuthorization(), engine);
                }
            });
        });
    }

    /** The first HTTP proxy the JVM's ProxySelector names for the URL's http(s) form, or null. */
    public static InetSocketAddress systemProxy(WebSocketUrl url) {
        ProxySelector selector = ProxySelector.getDefault();
        if (selector == null) {
            return null;
        }
        URI uri = URI.create((url.secure() ? "https://" : "http://") + url.hostHeader() + "/");
        for (Proxy p : selector.select(uri)) {
            if (p.type() == Proxy.Type.HTTP && p.address() instanceof InetSocketAddress) {
                return (InetSocketAddress) p.address();
            }
        }
        return null;
    }

    public static SSLEngine clientEngine(WebSocketUrl url, WebSocketOptions options) throws IOException {
        SSLContext context = options.sslContext();
        if (context == null) {
            try {
                context = SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IOException("No default TLS context in this JVM", e);
            }
        }
        SSLEngine engine = context.createSSLEngine(url.host(), url.port());
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        if (options.hostnameVerification()) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isIpLiteral(url.host())) {
            p.setServerNames(List.of(new SNIHostName(url.host())));
        }
        // Whatever the context enables, but never anything older than TLS 1.2.
        List<String> versions = new ArrayList<>(Arrays.asList(p.getProtocols()));
        versions.retainAll(TLS_VERSIONS);
        if (versions.isEmpty()) {
            throw new IOException("The SSLContext enables none of " + TLS_VERSIONS);
        }
        p.setProtocols(versions.toArray(new String[0]));
        engine.setSSLParameters(p);
        return engine;
    }

    public static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    private static InetSocketAddress resolve(String host, int port, boolean isProxy) {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new CompletionException(new UnknownHostException(
                    (isProxy ? "Unknown proxy host: " : "Unknown host: ") + host));
        }
    }

    // Threads for blocking lookups, ended two seconds after their last lookup.
    private static Executor resolverPool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, 64, 2, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "duplex-resolver");
            t.setDaemon(true);
            return t;
        });
        pool.setRejectedExecutionHandler(new ThreadPoolExecutor.CallerRunsPolicy());
        return pool;
    }
}
