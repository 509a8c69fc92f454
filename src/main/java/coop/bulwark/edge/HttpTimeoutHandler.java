package coop.bulwark.edge;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Client-side time limits of one HTTP connection (or HTTP/2 stream), placed right after the HTTP codec:
 *
 * <ul>
 *   <li><b>header timeout</b> — from accept, or from the first byte of a later request, to its complete header
 *       (slowloris): 408 and close;
 *   <li><b>minimum body rate</b> — an upload slower on average than the site's minimum after its grace period (slow
 *       POST): 408 and close. Time spent paused by our own backpressure does not count against the client;
 *   <li><b>keep-alive idle timeout</b> — no new request for this long after a response: silent close.
 * </ul>
 *
 * <p>One scheduled task at a time whose deadline moves with the state (the {@code IdleStateHandler} technique), so
 * busy connections cost no timer churn. Not sharable; event-loop confined.
 */
final class HttpTimeoutHandler extends ChannelDuplexHandler {
    private enum State {
        IDLE,
        HEADERS,
        BODY,
        WAITING
    }

    private final EdgeRuntime runtime;
    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private State state = State.HEADERS;
    private int outstanding;
    private long deadlineNanos;
    private ScheduledFuture<?> task;
    private long bodyStartNanos;
    private long bodyBytes;
    private long bodyMinRate;
    private long bodyGraceNanos;
    private long pausedSinceNanos = -1;
    private long pausedTotalNanos;

    HttpTimeoutHandler(EdgeRuntime runtime) {
        this.runtime = runtime;
        var c = runtime.snapshot().config().connections();
        this.headerTimeoutNanos = c.headerTimeout().toNanos();
        this.idleTimeoutNanos = c.idleTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            setDeadline(runtime.nanoTime() + headerTimeoutNanos);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        setDeadline(runtime.nanoTime() + headerTimeoutNanos);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            outstanding++;
            // The body clock starts when the proxy handler has routed the request (see expectBody); until then, and
            // for requests without a body, only the exchange's own timeouts apply.
            state = State.WAITING;
            setDeadline(Long.MAX_VALUE);
        } else if (msg instanceof HttpContent c && state == State.BODY) {
            bodyBytes += c.content().readableBytes();
            if (msg instanceof LastHttpContent) {
                state = State.WAITING;
                setDeadline(Long.MAX_VALUE);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Called by the proxy handler, synchronously while it handles the request head, when a body follows: from now the
     * body must arrive at {@code minBytesPerSecond} on average once {@code grace} has passed (0 disables).
     */
    void expectBody(long minBytesPerSecond, java.time.Duration grace) {
        if (minBytesPerSecond <= 0 || state != State.WAITING) {
            return;
        }
        bodyMinRate = minBytesPerSecond;
        bodyGraceNanos = grace.toNanos();
        state = State.BODY;
        bodyStartNanos = runtime.nanoTime();
        bodyBytes = 0;
        pausedTotalNanos = 0;
        pausedSinceNanos = -1;
        setDeadline(bodyStartNanos + bodyGraceNanos);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.IDLE) {
            // Bytes of a new request arrived (the codec has not produced its head yet): the header clock starts.
            state = State.HEADERS;
            setDeadline(runtime.nanoTime() + headerTimeoutNanos);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && outstanding > 0 && --outstanding == 0 && state != State.HEADERS) {
            state = State.IDLE;
            setDeadline(runtime.nanoTime() + idleTimeoutNanos);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        ctx.fireChannelInactive();
    }

    private void setDeadline(long deadline) {
        deadlineNanos = deadline;
        if (deadline != Long.MAX_VALUE && task == null && ctx != null) {
            task = ctx.executor()
                    .schedule(this::check, Math.max(0, deadline - runtime.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        task = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = runtime.nanoTime();
        if (state == State.BODY) {
            checkBodyRate(now);
            return;
        }
        if (deadlineNanos == Long.MAX_VALUE) {
            return;
        }
        if (now < deadlineNanos) {
            task = ctx.executor().schedule(this::check, deadlineNanos - now, TimeUnit.NANOSECONDS);
            return;
        }
        if (state == State.HEADERS) {
            timeOut();
        } else {
            ctx.close(); // idle keep-alive: nothing to say
        }
    }

    private void checkBodyRate(long now) {
        boolean paused = !ctx.channel().config().isAutoRead();
        if (paused) {
            if (pausedSinceNanos < 0) {
                pausedSinceNanos = now;
            }
        } else if (pausedSinceNanos >= 0) {
            pausedTotalNanos += now - pausedSinceNanos;
            pausedSinceNanos = -1;
        }
        long active = now - bodyStartNanos - pausedTotalNanos - (pausedSinceNanos >= 0 ? now - pausedSinceNanos : 0);
        if (!paused && active >= bodyGraceNanos) {
            double seconds = active / 1e9;
            if (bodyBytes < bodyMinRate * seconds) {
                timeOut();
                return;
            }
        }
        task = ctx.executor().schedule(this::check, 1, TimeUnit.SECONDS);
    }

    private void timeOut() {
        var r = EdgeResponses.error(
                ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT, "the request was not received in time", true);
        // Written from here, ahead of the proxy handler: it is never mid-response in these states. The proxy
        // handler sees the close and drops whatever the client still sends while we linger.
        ctx.pipeline().fireUserEventTriggered(EdgeEvents.CLOSING);
        LingeringClose.after(ctx.writeAndFlush(r));
    }
}
