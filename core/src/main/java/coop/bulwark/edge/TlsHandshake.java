package coop.bulwark.edge;

import coop.bulwark.proxy.ClientInfo;
import coop.bulwark.proxy.ClientInfoKey;
import coop.bulwark.proxy.EdgeRuntime;
import coop.bulwark.proxy.EdgeSnapshot;
import coop.bulwark.proxy.Site;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Promise;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS part of the https pipeline: picks the site's certificate from the SNI name (certificates from the current
 * snapshot, so a reload or a renewed certificate applies to the next handshake), records the name for the Host
 * check, then sets up HTTP/2 or HTTP/1.1 as ALPN agreed.
 *
 * <p>An SNI name that matches no site ends the handshake: no certificate of another site is shown to a client asking
 * for a name we do not serve. Without SNI the first TLS site's certificate is used (old clients, IP-address access).
 */
final class TlsHandshake {
    private static final Logger LOG = LoggerFactory.getLogger(TlsHandshake.class);

    private TlsHandshake() {}

    static void install(ChannelPipeline p, EdgeRuntime runtime, EdgePipelines pipelines) {
        long handshakeMillis =
                runtime.snapshot().config().connections().headerTimeout().toMillis();
        AsyncMapping<String, SslContext> mapping = (String hostname, Promise<SslContext> promise) -> {
            EdgeSnapshot snap = runtime.snapshot();
            if (hostname == null) {
                return snap.defaultTls() != null
                        ? promise.setSuccess(snap.defaultTls())
                        : promise.setFailure(new SSLException("no default certificate"));
            }
            Site site = snap.router().lookup(hostname);
            SslContext ctx = site == null ? null : snap.tlsBySite().get(site.name());
            return ctx != null
                    ? promise.setSuccess(ctx)
                    : promise.setFailure(new SSLException("no certificate for " + hostname));
        };
        p.addLast("sni", new SniHandler(mapping, 16 * 1024, handshakeMillis) {
            @Override
            protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
                SslHandler h = super.newSslHandler(context, allocator);
                h.setHandshakeTimeoutMillis(handshakeMillis);
                return h;
            }
        });
        p.addLast("sni-name", new SniRecorder());
        p.addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    pipelines.addHttp2(ctx.pipeline(), "https");
                } else {
                    pipelines.addHttp1(ctx.pipeline(), "https");
                }
            }

            @Override
            protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // scanners and unknown names: routine, not worth a log line
            }
        });
        p.addLast("tls-failures", new HandshakeFailures());
    }

    /**
     * Last handler while the handshake runs: closes the connection on any error of that phase and logs it at debug
     * only. The ALPN handler above takes the first error and leaves the pipeline, but when the connection then closes
     * the SNI decoder parses the buffered ClientHello once more, fails the lookup again, and without this handler that
     * second error reached the pipeline tail, where Netty logs a WARN with a stack trace: one per unknown SNI name, a
     * free log flood for any scanner. Leaves the pipeline once the handshake succeeds, so errors on an established
     * connection still reach the HTTP handlers.
     */
    private static final class HandshakeFailures extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                ctx.pipeline().remove(this);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("{} TLS handshake failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }

    /** Stores the SNI name in the connection's {@link ClientInfo}, then leaves the pipeline. */
    private static final class SniRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SniCompletionEvent sni) {
                var info = ctx.channel().attr(ClientInfoKey.KEY).get();
                if (info != null) {
                    String name = sni.hostname() == null ? null : sni.hostname().toLowerCase(Locale.ROOT);
                    ctx.channel().attr(ClientInfoKey.KEY).set(info.withSni(name));
                }
                ctx.pipeline().remove(this);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
