package coop.bulwark.edge;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.util.FileSize;
import coop.bulwark.proxy.AccessLog;
import coop.bulwark.site.AccessLogConfig;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Points the {@code bulwark.access} logger at the configured destination. The appender is asynchronous and drops lines
 * rather than block when its queue is full: during a flood, an event loop waiting on a disk is worse than a gap in the
 * log (the metrics still count every request).
 *
 * <p>Lines are written through a 64 KiB buffer flushed every {@link #FLUSH_EVERY_MS} ms (as nginx's {@code access_log
 * ... buffer=64k flush=1s}), not one {@code write} per line: under a flood of 3,000 requests a second the per-line
 * writes alone took about a tenth of the edge's CPU. A line reaches the file or pipe at most that long after its
 * request; on exit, what is buffered is flushed.
 */
final class AccessLogAppender {
    static final long FLUSH_EVERY_MS = 250;
    private static final int BUFFER_BYTES = 64 * 1024;

    private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bulwark-access-flush");
        t.setDaemon(true);
        return t;
    });
    private static ScheduledFuture<?> flushing;
    private static OutputStreamAppender<ILoggingEvent> current;
    private static boolean hooked;

    private AccessLogAppender() {}

    /** Applies {@code config}; safe to call again on reload (the old appender is stopped). */
    static synchronized void apply(AccessLogConfig config) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        ch.qos.logback.classic.Logger logger = ctx.getLogger(AccessLog.LOGGER);
        logger.setAdditive(false);
        logger.detachAndStopAllAppenders(); // stopping flushes the old sink
        if (flushing != null) {
            flushing.cancel(false);
            flushing = null;
            current = null;
        }
        if (!config.enabled()) {
            logger.setLevel(Level.OFF);
            return;
        }
        logger.setLevel(Level.INFO);
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%msg%n");
        enc.start();
        OutputStreamAppender<ILoggingEvent> sink;
        if (config.file().isPresent()) {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(config.file().get().toString());
            f.setAppend(true);
            f.setBufferSize(new FileSize(BUFFER_BYTES));
            sink = f;
        } else {
            // Not System.out: it flushes after every write (autoflush). Standard output's descriptor, buffered; the
            // operational log goes to standard error, so nothing else writes here.
            sink = new OutputStreamAppender<>();
            sink.setOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), BUFFER_BYTES));
        }
        sink.setImmediateFlush(false);
        sink.setContext(ctx);
        sink.setName("access-sink");
        sink.setEncoder(enc);
        sink.start();
        var async = new AsyncAppender();
        async.setContext(ctx);
        async.setName("access");
        async.setQueueSize(65536);
        async.setDiscardingThreshold(0);
        async.setNeverBlock(true);
        async.addAppender(sink);
        async.start();
        logger.addAppender(async);
        current = sink;
        flushing = FLUSHER.scheduleWithFixedDelay(
                AccessLogAppender::flush, FLUSH_EVERY_MS, FLUSH_EVERY_MS, TimeUnit.MILLISECONDS);
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(AccessLogAppender::flush, "bulwark-access-flush-exit"));
        }
    }

    /** Writes out what the current sink buffers (the stream is locked against the writer's concurrent writes). */
    static void flush() {
        OutputStreamAppender<ILoggingEvent> s;
        synchronized (AccessLogAppender.class) {
            s = current;
        }
        if (s != null && s.getOutputStream() != null) {
            try {
                s.getOutputStream().flush();
            } catch (IOException e) {
                // the sink reports its own write errors; a failed flush is retried on the next tick
            }
        }
    }
}
