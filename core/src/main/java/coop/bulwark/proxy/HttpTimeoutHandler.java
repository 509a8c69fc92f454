package coop.bulwark.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
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
public final class HttpTimeoutHandler extends ChannelDuplexHandler {
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
    /** When {@link #task} runs. */
    private long taskDueNanos;
    /** Between a channelRead and its read burst's channelReadComplete. */
    private boolean inRead;
    /** The connection went idle (its last response was written) during the current read burst. */
    private boolean idledInThisRead;

    private long bodyStartNanos;
    private long bodyBytes;
    private long bodyMinRate;
    private long bodyGraceNanos;
    private long pausedSinceNanos = -1;
    private long pausedTotalNanos;

    public HttpTimeoutHandler(EdgeRuntime runtime) {
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
        inRead = true;
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
    void expectBody(long minBytesPerSecond, Duration grace) {
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
        if (state == State.IDLE && !idledInThisRead) {
            // Bytes of a new request arrived (the codec has not produced its head yet): the header clock starts.
            // Not when the response that made the connection idle was written during this very read (the edge
            // answered the request itself): then this read was that request's, and the idle timeout applies.
            state = State.HEADERS;
            setDeadline(runtime.nanoTime() + headerTimeoutNanos);
        }
        inRead = false;
        idledInThisRead = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent && outstanding > 0 && --outstanding == 0 && state != State.HEADERS) {
            state = State.IDLE;
            idledInThisRead = inRead;
            setDeadline(runtime.nanoTime() + idleTimeoutNanos);
        }
        ctx.write(msg, promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // The connection left HTTP (a WebSocket tunnel, which times itself out): no HTTP deadline applies any more.
        if (task != null) {
            task.cancel(false);
            task = null;
        }
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
        if (deadline == Long.MAX_VALUE || ctx == null) {
            return;
        }
        if (task != null && taskDueNanos > deadline) {
            // An earlier deadline than the pending check (a body's grace period, shorter than the header timeout
            // whose check is pending): check at the new deadline, or the body rate is first checked late.
            task.cancel(false);
            task = null;
        }
        if (task == null) {
            schedule(Math.max(0, deadline - runtime.nanoTime()));
        }
    }

    private void schedule(long delayNanos) {
        taskDueNanos = runtime.nanoTime() + delayNanos;
        task = ctx.executor().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
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
            schedule(deadlineNanos - now);
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
        schedule(TimeUnit.SECONDS.toNanos(1));
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
