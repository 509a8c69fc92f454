package coop.bulwark.edge;

import coop.bulwark.site.ConfigException;
import coop.bulwark.site.ConfigProblem;
import coop.bulwark.site.EdgeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload: re-reads the config file when it changes on disk (polled, which also works through the symlinks that
 * config management and certbot use), when a certificate file changes, or on demand (SIGHUP). A file with problems
 * is rejected with its {@code FILE:LINE:COLUMN} messages and the running config keeps serving.
 *
 * <p>Runs on its own single thread: loading, DNS resolution and certificate parsing never touch an event loop.
 */
public final class ConfigReloader implements AutoCloseable {
    /** Loads a config file (the real loader, or a test's). */
    @FunctionalInterface
    public interface Loader {
        EdgeConfig load(Path file) throws ConfigException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path file;
    private final EdgeServer server;
    private final Loader loader;
    private final ScheduledExecutorService thread;
    private FileTime lastSeen;

    public ConfigReloader(Path file, EdgeServer server, Loader loader, Duration pollInterval) {
        this.file = file;
        this.server = server;
        this.loader = loader;
        this.lastSeen = mtime();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bulwark-reload");
            t.setDaemon(true);
            return t;
        });
        long ms = pollInterval.toMillis();
        thread.scheduleWithFixedDelay(this::poll, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Asks for a reload now (SIGHUP, admin API); returns at once, the reload runs on the reload thread. */
    public void requestReload(String why) {
        thread.execute(() -> reload(why));
    }

    private void poll() {
        try {
            FileTime now = mtime();
            if (now != null && !now.equals(lastSeen)) {
                reload("config file changed");
            } else if (server.certificatesChanged()) {
                reload("certificate file changed");
            }
        } catch (RuntimeException e) {
            LOG.error("reload check failed", e);
        }
    }

    /** Loads and applies the file now; returns whether the new config is active. Runs on the calling thread. */
    public synchronized boolean reload(String why) {
        lastSeen = mtime();
        EdgeConfig next;
        try {
            next = loader.load(file);
        } catch (ConfigException e) {
            LOG.error(
                    "reload ({}) rejected, still serving generation {}:",
                    why,
                    server.snapshot().generation());
            for (ConfigProblem p : e.problems()) {
                LOG.error("  {}", p);
            }
            return false;
        }
        try {
            server.reload(next);
            LOG.info("reloaded ({})", why);
            return true;
        } catch (IOException e) {
            LOG.error(
                    "reload ({}) rejected, still serving generation {}: {}",
                    why,
                    server.snapshot().generation(),
                    e.getMessage());
            return false;
        }
    }

    private FileTime mtime() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
