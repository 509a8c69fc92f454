package coop.bulwark.edge;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import coop.bulwark.proxy.AccessLog;
import coop.bulwark.site.AccessLogConfig;
import org.slf4j.LoggerFactory;

/**
 * Points the {@code bulwark.access} logger at the configured destination. The appender is asynchronous and drops lines
 * rather than block when its queue is full: during a flood, an event loop waiting on a disk is worse than a gap in the
 * log (the metrics still count every request).
 */
final class AccessLogAppender {
    private AccessLogAppender() {}

    /** Applies {@code config}; safe to call again on reload (the old appender is stopped). */
    static synchronized void apply(AccessLogConfig config) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        ch.qos.logback.classic.Logger logger = ctx.getLogger(AccessLog.LOGGER);
        logger.setAdditive(false);
        logger.detachAndStopAllAppenders();
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
            sink = f;
        } else {
            ConsoleAppender<ILoggingEvent> c = new ConsoleAppender<>();
            c.setTarget("System.out");
            sink = c;
        }
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
    }
}
