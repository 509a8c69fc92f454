package coop.bulwark.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReportWriterTest {
    @TempDir
    Path tmp;

    @Test
    void submit_writesThreeFilesAtomicallyIntoANewDirectory() throws Exception {
        IncidentReport r = SimulatedAttack.report();
        Path dir = tmp.resolve("reports/nested");
        try (ReportWriter w = new ReportWriter(dir, 4)) {
            ReportWriter.ReportFiles files = w.submit(r).get(10, TimeUnit.SECONDS);
            assertThat(files.json()).isEqualTo(dir.toAbsolutePath().resolve(r.id() + ".json"));
            assertThat(files.json()).content().isEqualTo(ReportJson.render(r));
            assertThat(files.markdown()).content().isEqualTo(MarkdownReport.render(r));
            assertThat(files.html()).content().isEqualTo(HtmlReport.render(r));
            try (Stream<Path> all = Files.list(dir)) {
                assertThat(all.map(p -> p.getFileName().toString()))
                        .as("no temporary file left behind")
                        .containsExactlyInAnyOrder(r.id() + ".json", r.id() + ".md", r.id() + ".html");
            }
            assertThat(w.written()).isEqualTo(1);
            assertThat(w.failures()).isZero();
        }
    }

    @Test
    void everyLanguage_written_englishWithoutSuffix_jsonOnce() throws Exception {
        IncidentReport r = SimulatedAttack.report();
        try (ReportWriter w = new ReportWriter(tmp, 0, List.of(ReportLanguage.EN, ReportLanguage.ES))) {
            w.submit(r).get(10, TimeUnit.SECONDS);
            assertThat(tmp.resolve(r.id() + ".md")).content().isEqualTo(MarkdownReport.render(r, ReportLanguage.EN));
            assertThat(tmp.resolve(r.id() + ".es.md")).content().isEqualTo(MarkdownReport.render(r, ReportLanguage.ES));
            assertThat(tmp.resolve(r.id() + ".es.html")).content().isEqualTo(HtmlReport.render(r, ReportLanguage.ES));
            try (Stream<Path> all = Files.list(tmp)) {
                assertThat(all.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder(
                                r.id() + ".json",
                                r.id() + ".md",
                                r.id() + ".html",
                                r.id() + ".es.md",
                                r.id() + ".es.html");
            }
            assertThat(w.readText(r.id(), ReportFormat.MARKDOWN, ReportLanguage.ES))
                    .contains(MarkdownReport.render(r, ReportLanguage.ES));
            assertThat(w.readText(r.id(), ReportFormat.JSON, ReportLanguage.ES)).contains(ReportJson.render(r));
        }
    }

    @Test
    void languageNotWritten_renderedFromTheJson() throws Exception {
        IncidentReport r = SimulatedAttack.report();
        try (ReportWriter w = new ReportWriter(tmp, 0)) {
            w.submit(r).get(10, TimeUnit.SECONDS);
        }
        try (ReportWriter w = new ReportWriter(tmp, 0, List.of(ReportLanguage.ES, ReportLanguage.EN))) {
            assertThat(w.files(r.id()).markdown())
                    .isEqualTo(tmp.toAbsolutePath().resolve(r.id() + ".es.md"));
            assertThat(w.readText(r.id(), ReportFormat.HTML)).contains(HtmlReport.render(r, ReportLanguage.ES));
            assertThat(w.readText("atk-0-0", ReportFormat.HTML, ReportLanguage.ES))
                    .isEmpty();
        }
    }

    @Test
    void listAndRead_fromDiskNewestFirst() throws Exception {
        IncidentReport ended = SimulatedAttack.report();
        IncidentReport older = SimulatedAttack.shared().midAttack;
        IncidentReport renamed = copy(older, "atk-1-9", older.start().minus(Duration.ofDays(1)));
        try (ReportWriter w = new ReportWriter(tmp, 0)) {
            CompletableFuture.allOf(w.submit(renamed), w.submit(ended)).get(10, TimeUnit.SECONDS);
        }
        Files.writeString(tmp.resolve("notes.json"), "{\"id\": \"notes\""); // unreadable: skipped
        Files.writeString(tmp.resolve("bad id.json"), "{}");
        try (ReportWriter w = new ReportWriter(tmp, 0)) {
            List<ReportWriter.Summary> list = w.list();
            assertThat(list).extracting(ReportWriter.Summary::id).containsExactly(ended.id(), "atk-1-9");
            ReportWriter.Summary first = list.get(0);
            assertThat(first.status()).isEqualTo(IncidentReport.Status.ENDED);
            assertThat(first.start()).isEqualTo(ended.start());
            assertThat(first.end()).isEqualTo(ended.end());
            assertThat(first.targets()).isEqualTo(ended.targetNames());
            assertThat(first.peakRps()).isEqualTo(ended.peakRps());
            assertThat(list.get(1).end()).isNull();
            assertThat(w.read(ended.id())).contains(ended);
            assertThat(w.read("atk-0-0")).isEmpty();
            assertThat(w.readText(ended.id(), ReportFormat.MARKDOWN)).contains(MarkdownReport.render(ended));
        }
    }

    @Test
    void memory_keepsTheLastNAndAnswersBeforeTheDisk() throws Exception {
        IncidentReport r = SimulatedAttack.shared().midAttack;
        try (ReportWriter w = new ReportWriter(tmp.resolve("r"), 2)) {
            for (int i = 0; i < 3; i++) {
                w.submit(copy(r, "atk-5-" + i, r.start().plusSeconds(i)));
            }
            assertThat(w.read("atk-5-2")).isPresent();
            assertThat(w.list()).extracting(ReportWriter.Summary::id).startsWith("atk-5-2", "atk-5-1");
        }
    }

    @Test
    void rewrite_readersNeverSeeAPartialFile() throws Exception {
        IncidentReport r = SimulatedAttack.report();
        try (ReportWriter w = new ReportWriter(tmp, 0)) {
            Path json = w.submit(r).get(10, TimeUnit.SECONDS).json();
            var stop = new AtomicBoolean();
            var reads = new AtomicInteger();
            var reader = CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    try {
                        assertThat(ReportJson.parse(Files.readString(json))).isEqualTo(r);
                        reads.incrementAndGet();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            CompletableFuture<?> last = null;
            for (int i = 0; i < 20; i++) {
                last = w.submit(r);
            }
            last.get(30, TimeUnit.SECONDS);
            stop.set(true);
            reader.get(10, TimeUnit.SECONDS);
            assertThat(reads.get()).isPositive();
            assertThat(w.written()).isEqualTo(21);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "..", "a/b", "a\\b", "/abs", "", ".hidden", "atk-1.json", "x\0y", "é"})
    void read_rejectsIdsOutsideThePattern(String id) {
        try (ReportWriter w = new ReportWriter(tmp, 1)) {
            assertThatThrownBy(() -> w.read(id)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.readText(id, ReportFormat.HTML)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.files(id)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void submit_unwritableDirectory_failsQuietlyAndCounts() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        try (ReportWriter w = new ReportWriter(file.resolve("reports"), 1)) {
            CompletableFuture<ReportWriter.ReportFiles> f = w.submit(SimulatedAttack.shared().midAttack);
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(w.failures()).isEqualTo(1);
            assertThat(w.written()).isZero();
        }
    }

    @Test
    void submit_afterClose_failsWithoutThrowing() {
        ReportWriter w = new ReportWriter(tmp, 1);
        w.close();
        CompletableFuture<ReportWriter.ReportFiles> f = w.submit(SimulatedAttack.shared().midAttack);
        assertThat(f).isCompletedExceptionally();
        assertThat(w.failures()).isEqualTo(1);
    }

    private static IncidentReport copy(IncidentReport r, String id, Instant start) {
        return new IncidentReport(
                id,
                r.status(),
                start,
                r.end(),
                r.detectedAt(),
                r.onset(),
                r.timeToDetectS(),
                r.timeToMitigateS(),
                r.targets(),
                r.peakRps(),
                r.topPrefixes(),
                r.signature(),
                r.mitigations(),
                r.effect(),
                r.collateral(),
                r.edge(),
                r.stateChanges(),
                r.timeline(),
                r.generatedAt());
    }
}
