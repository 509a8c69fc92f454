package coop.bulwark.edge;

import coop.bulwark.proxy.AccessLog;
import coop.bulwark.site.AccessLogConfig;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the access log's lines go (the config's file, else standard output): appended by the event loops to a buffer
 * in memory, written out by one thread every {@link #FLUSH_EVERY_MS} ms, as nginx's {@code access_log ... buffer=64k
 * flush=1s} does. Under a flood of 3,000 requests a second, a logging framework's asynchronous appender (an event
 * object per line, a queue whose every offer woke its writer thread, a {@code write} per line) took about a tenth of
 * the edge's CPU; appending a line here is a copy into an array under an uncontended lock.
 *
 * <p>Never blocks an event loop on a disk: when more than {@link #MAX_PENDING_BYTES} wait (the disk stalled), lines
 * are dropped and counted, and the writer says so once per flush that dropped any (the metrics still count every
 * request). A line reaches the file at most about {@link #FLUSH_EVERY_MS} ms after its request; on reload and exit,
 * what waits is written.
 */
final class AccessLogWriter implements AccessLog.Sink {
    static final long FLUSH_EVERY_MS = 250;
    static final int MAX_PENDING_BYTES = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
    private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bulwark-access-log");
        t.setDaemon(true);
        return t;
    });
    private static AccessLogWriter current;
    private static boolean hooked;

    private final OutputStream out;
    private final String where;
    private final ScheduledFuture<?> ticks;
    /** Held by the one flush writing at a time; appends take only {@code this}, never waiting on a write. */
    private final Object writing = new Object();

    private byte[] pending = new byte[64 * 1024];
    private int size;
    private long dropped;
    /** The flusher's own buffer, swapped with {@code pending} under the lock; written outside it. */
    private byte[] spare = new byte[64 * 1024];

    private AccessLogWriter(OutputStream out, String where) {
        this.out = out;
        this.where = where;
        this.ticks = FLUSHER.scheduleWithFixedDelay(this::flush, FLUSH_EVERY_MS, FLUSH_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Applies {@code config}; safe to call again on reload (the old writer writes what it holds and closes).
     *
     * @throws IOException the configured file cannot be opened for appending; the running log is left as it was
     */
    static synchronized void apply(AccessLogConfig config) throws IOException {
        OutputStream next = null;
        if (config.enabled()) {
            try {
                next = config.file().isPresent()
                        ? new FileOutputStream(config.file().get().toFile(), true)
                        // Standard output's descriptor itself: System.out would flush after every write.
                        : new FileOutputStream(FileDescriptor.out);
            } catch (IOException e) {
                throw new IOException("access_log.file: cannot open it for appending: " + e.getMessage(), e);
            }
        }
        AccessLogWriter old = current;
        current = null;
        AccessLog.use(null);
        if (old != null) {
            old.close();
        }
        if (next == null) {
            return;
        }
        AccessLogWriter w =
                new AccessLogWriter(next, config.file().map(Object::toString).orElse("standard output"));
        current = w;
        AccessLog.use(w);
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(AccessLogWriter::flushCurrent, "bulwark-access-log-exit"));
        }
    }

    /** {@link #apply} on reload: a file that cannot be opened is said, and the running log kept. */
    static void reapply(AccessLogConfig config) {
        try {
            apply(config);
        } catch (IOException e) {
            LOG.error(
                    "access_log.file: cannot open it for appending ({}); keeping the access log as it was",
                    e.getMessage());
        }
    }

    /** The writer in use (null: the access log is off). */
    static synchronized AccessLogWriter current() {
        return current;
    }

    private static synchronized void flushCurrent() {
        if (current != null) {
            current.flush();
        }
    }

    @Override
    public void append(CharSequence line) {
        int n = line.length();
        synchronized (this) {
            if (size + 3L * n + 1 > MAX_PENDING_BYTES) {
                dropped++;
                return;
            }
            if (size + 3 * n + 1 > pending.length) {
                pending = Arrays.copyOf(
                        pending, Math.min(MAX_PENDING_BYTES, Math.max(pending.length * 2, size + 3 * n + 1)));
            }
            byte[] p = pending;
            int at = size;
            for (int i = 0; i < n; i++) {
                char c = line.charAt(i);
                if (c < 0x80) {
                    p[at++] = (byte) c;
                } else {
                    // Rare (a non-ASCII path or site name): the whole line the slow, exact way.
                    byte[] utf8 = line.toString().getBytes(StandardCharsets.UTF_8);
                    System.arraycopy(utf8, 0, p, size, utf8.length);
                    at = size + utf8.length;
                    break;
                }
            }
            p[at++] = '\n';
            size = at;
        }
    }

    /** Writes out what has been appended (the flusher's tick; also on reload and at exit). */
    void flush() {
        synchronized (writing) {
            flushLocked();
        }
    }

    private void flushLocked() {
        byte[] out0;
        int n;
        long lost;
        synchronized (this) {
            if (size == 0 && dropped == 0) {
                return;
            }
            out0 = pending;
            n = size;
            lost = dropped;
            pending = spare; // never below its first 64 KiB: the two buffers only trade places or grow
            spare = out0;
            size = 0;
            dropped = 0;
        }
        try {
            out.write(out0, 0, n);
            out.flush();
        } catch (IOException e) {
            LOG.warn("access log: cannot write to {}: {} ({} bytes of lines lost)", where, e.getMessage(), n);
        }
        if (lost > 0) {
            LOG.warn("access log: {} lines dropped: {} did not take them fast enough", lost, where);
        }
    }

    private void close() {
        ticks.cancel(false);
        flush();
        if (!where.equals("standard output")) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("access log: closing {}: {}", where, e.getMessage());
            }
        }
    }
}
