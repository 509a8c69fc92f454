package coop.bulwark.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes incident reports to a directory as {@code <id>.json}, {@code <id>.md} and {@code <id>.html}, lists and
 * reads them back, and keeps the last few in memory. Markdown and HTML are written in every configured language:
 * English as {@code <id>.md}, any other as {@code <id>.<lang>.md} (so a name always says its language, whatever the
 * configured list); the JSON is language-neutral.
 *
 * <p>Writing happens on one background thread, so a slow or full disk never delays the detection tick: {@link
 * #submit} only queues (at most 64 waiting reports) and never throws; failures are logged and counted ({@link
 * #failures}). Each file is written to a temporary file in the same directory, forced to disk and moved into place
 * atomically, so a reader never sees half a report. The directory is created if missing.
 *
 * <p>Ids are checked against {@link #ID} before any path is built from them, so no id can name a file outside the
 * directory. Thread-safe.
 */
public final class ReportWriter implements AutoCloseable {
    /** What an attack id may look like: letters, digits, '-' and '_', starting with a letter or digit. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");

    private static final Logger LOG = LoggerFactory.getLogger(ReportWriter.class);
    private static final int QUEUE = 64;
    private static final int MAX_LISTED = 1_000;

    private final Path dir;
    private final int keep;
    private final List<ReportLanguage> languages;
    private final Map<String, IncidentReport> recent = new LinkedHashMap<>();
    private final ThreadPoolExecutor executor;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /** The three files of one report in one language. */
    public record ReportFiles(Path json, Path markdown, Path html) {
        public Path get(ReportFormat format) {
            return switch (format) {
                case JSON -> json;
                case MARKDOWN -> markdown;
                case HTML -> html;
            };
        }
    }

    /**
     * One line of {@link #list}.
     *
     * @param end null while ongoing
     */
    public record Summary(
            String id, IncidentReport.Status status, Instant start, Instant end, List<String> targets, double peakRps) {
        public Summary {
            targets = List.copyOf(targets);
        }
    }

    /**
     * @param dir the reports directory; created on the first write if missing
     * @param keepInMemory how many of the latest reports {@link #read} answers from memory, 0 to 1,000
     */
    public ReportWriter(Path dir, int keepInMemory) {
        this(dir, keepInMemory, List.of(ReportLanguage.EN));
    }

    /**
     * @param dir the reports directory; created on the first write if missing
     * @param keepInMemory how many of the latest reports {@link #read} answers from memory, 0 to 1,000
     * @param languages the languages each report is written in, at least one, the first being the default
     */
    public ReportWriter(Path dir, int keepInMemory, List<ReportLanguage> languages) {
        this.languages = List.copyOf(languages);
        if (this.languages.isEmpty() || Set.copyOf(this.languages).size() != this.languages.size()) {
            throw new IllegalArgumentException("languages: " + languages + " (expected: one or more, no repeats)");
        }
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        if (keepInMemory < 0 || keepInMemory > 1_000) {
            throw new IllegalArgumentException("keepInMemory: " + keepInMemory + " (expected: 0-1000)");
        }
        this.keep = keepInMemory;
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "bulwark-reports");
            t.setDaemon(true);
            return t;
        });
    }

    public Path directory() {
        return dir;
    }

    /** The languages reports are written in, the first one being the default. */
    public List<ReportLanguage> languages() {
        return languages;
    }

    /** The files a report with this id is (or would be) written to in the first language. */
    public ReportFiles files(String id) {
        return files(id, languages.get(0));
    }

    /**
     * The files of a report in one language: {@code <id>.md} in English, {@code <id>.es.md} in Spanish; {@code
     * <id>.json} in every language.
     */
    public ReportFiles files(String id, ReportLanguage lang) {
        checkId(id);
        String base = lang == ReportLanguage.EN ? id + "." : id + "." + lang.code() + ".";
        return new ReportFiles(
                dir.resolve(id + "." + ReportFormat.JSON.extension()),
                dir.resolve(base + ReportFormat.MARKDOWN.extension()),
                dir.resolve(base + ReportFormat.HTML.extension()));
    }

    /**
     * Queues the report for writing (replacing an earlier version of the same attack's report) and remembers it.
     * Never throws and never blocks: if the writer is closed, the queue is full or the id is malformed, the returned
     * future fails and the failure is counted and logged.
     *
     * @return completes with the files once all three are in place
     */
    public CompletableFuture<ReportFiles> submit(IncidentReport report) {
        CompletableFuture<ReportFiles> done = new CompletableFuture<>();
        try {
            ReportFiles files = files(report.id());
            remember(report);
            executor.execute(() -> {
                try {
                    write(report, files);
                    written.incrementAndGet();
                    LOG.info("incident report {} written to {}", report.id(), files.markdown());
                    done.complete(files);
                } catch (IOException | RuntimeException e) {
                    failed(report.id(), e);
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException | IllegalArgumentException | NullPointerException e) {
            failed(report == null ? null : report.id(), e);
            done.completeExceptionally(e);
        }
        return done;
    }

    /** Reports written completely. */
    public long written() {
        return written.get();
    }

    /** Reports that could not be written (disk errors, a full queue, a malformed id, a closed writer). */
    public long failures() {
        return failures.get();
    }

    /**
     * The reports in the directory and in memory, newest start first (at most 1,000). Unreadable files are skipped.
     */
    public List<Summary> list() {
        Map<String, Summary> byId = new LinkedHashMap<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    String id = name.substring(0, name.length() - ".json".length());
                    if (!ID.matcher(id).matches()) {
                        continue;
                    }
                    try {
                        Summary s = summary(f);
                        if (s != null && s.id().equals(id)) {
                            byId.put(id, s);
                        }
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("skipping unreadable report {}", f, e);
                    }
                }
            } catch (IOException e) {
                LOG.warn("cannot list reports in {}: {}", dir, e.toString());
            }
        }
        synchronized (recent) {
            for (IncidentReport r : recent.values()) {
                byId.put(r.id(), summary(r));
            }
        }
        List<Summary> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparing(Summary::start).reversed().thenComparing(Summary::id));
        return out.size() > MAX_LISTED ? List.copyOf(out.subList(0, MAX_LISTED)) : out;
    }

    /**
     * A report by id, from memory or the directory.
     *
     * @throws IllegalArgumentException if {@code id} does not match {@link #ID}
     */
    public Optional<IncidentReport> read(String id) {
        checkId(id);
        synchronized (recent) {
            IncidentReport r = recent.get(id);
            if (r != null) {
                return Optional.of(r);
            }
        }
        try {
            return Optional.of(ReportJson.parse(Files.readString(files(id).json(), StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot read report {}: {}", id, e.toString());
            return Optional.empty();
        }
    }

    /**
     * A report by id in one form, in the first language, rendered from memory or read from its file.
     *
     * @throws IllegalArgumentException if {@code id} does not match {@link #ID}
     */
    public Optional<String> readText(String id, ReportFormat format) {
        return readText(id, format, languages.get(0));
    }

    /**
     * A report by id in one form and language: rendered from memory, read from its file, or, for a language it was
     * not written in (older reports, a language added since), rendered from its JSON.
     *
     * @throws IllegalArgumentException if {@code id} does not match {@link #ID}
     */
    public Optional<String> readText(String id, ReportFormat format, ReportLanguage lang) {
        checkId(id);
        synchronized (recent) {
            IncidentReport r = recent.get(id);
            if (r != null) {
                return Optional.of(format.render(r, lang));
            }
        }
        if (languages.contains(lang) || !format.translated()) {
            try {
                return Optional.of(Files.readString(files(id, lang).get(format), StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                if (!format.translated()) {
                    return Optional.empty();
                }
                // Written before this language was listed: rendered from the JSON below.
            } catch (IOException e) {
                LOG.warn("cannot read report {}: {}", id, e.toString());
                return Optional.empty();
            }
        }
        return read(id).map(r -> format.render(r, lang));
    }

    /** Finishes the queued writes (waiting up to 10 s), then stops the writer thread. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn(
                        "incident reports still being written at shutdown; {} left",
                        executor.getQueue().size());
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id: " + id + " (expected: " + ID.pattern() + ")");
        }
    }

    private void remember(IncidentReport report) {
        if (keep == 0) {
            return;
        }
        synchronized (recent) {
            recent.remove(report.id());
            recent.put(report.id(), report);
            while (recent.size() > keep) {
                recent.remove(recent.keySet().iterator().next());
            }
        }
    }

    private void failed(String id, Exception e) {
        failures.incrementAndGet();
        LOG.warn("incident report {} not written: {}", id, e.toString());
    }

    private void write(IncidentReport report, ReportFiles files) throws IOException {
        Files.createDirectories(dir);
        // JSON last: list() finds reports by their .json, so the others are in place when it shows up.
        for (ReportLanguage lang : languages) {
            ReportFiles f = files(report.id(), lang);
            atomicWrite(f.markdown(), ReportFormat.MARKDOWN.render(report, lang));
            atomicWrite(f.html(), ReportFormat.HTML.render(report, lang));
        }
        atomicWrite(files.json(), ReportFormat.JSON.render(report));
    }

    private void atomicWrite(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                var buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Summary summary(IncidentReport r) {
        return new Summary(r.id(), r.status(), r.start(), r.end(), r.targetNames(), r.peakRps());
    }

    /** Reads only the summary fields of a report file, skipping its (possibly large) timeline. */
    private static Summary summary(Path file) throws IOException {
        String id = null;
        IncidentReport.Status status = null;
        Instant start = null;
        Instant end = null;
        double peak = 0;
        List<String> targets = new ArrayList<>();
        try (JsonParser p = ReportJson.mapper().getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> id = p.getValueAsString();
                    case "status" ->
                        status = "ended".equals(p.getValueAsString())
                                ? IncidentReport.Status.ENDED
                                : IncidentReport.Status.ONGOING;
                    case "start" -> start = instant(p.getValueAsString());
                    case "end" -> end = value == JsonToken.VALUE_NULL ? null : instant(p.getValueAsString());
                    case "peak_rps" -> peak = p.getValueAsDouble();
                    case "targets" -> {
                        if (value == JsonToken.START_ARRAY) {
                            while (p.nextToken() == JsonToken.START_OBJECT) {
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    String f = p.currentName();
                                    p.nextToken();
                                    if (f.equals("name")) {
                                        targets.add(p.getValueAsString());
                                    } else {
                                        p.skipChildren();
                                    }
                                }
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }
        if (id == null || start == null || status == null) {
            return null;
        }
        return new Summary(id, status, start, end, targets, peak);
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }
}
