package coop.bulwark.report;

import org.junit.jupiter.api.Test;

class IncidentScratchTest {
    @Test
    void dump() throws Exception {
        IncidentReport r = SimulatedAttack.report();
        String json = ReportJson.render(r);
        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/rep/r.json"), json);
        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/rep/r.md"), MarkdownReport.render(r));
        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/rep/r.html"), HtmlReport.render(r));
        java.nio.file.Files.writeString(
                java.nio.file.Path.of("/tmp/rep/mid.json"), ReportJson.render(SimulatedAttack.shared().midAttack));
        for (var e : SimulatedAttack.shared().events)
            System.out.println(
                    e.toString().substring(0, Math.min(300, e.toString().length())));
    }
}
