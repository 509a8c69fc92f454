package coop.bulwark.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import coop.bulwark.html.HtmlText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The lab's HTML report: the outcome table and, per run, per-second plots of bystander and target success and of the
 * origin's load, drawn by uPlot (from the org.webjars.npm:uplot jar). Everything is inlined in the one file, so
 * viewing it fetches nothing.
 */
public final class LabHtml {
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private LabHtml() {}

    public static String render(LabReport report, List<LabReport.Series> series) throws IOException {
        String js = resource(UPLOT + "uPlot.iife.min.js");
        String css = resource(UPLOT + "uPlot.min.css");
        String data;
        try {
            data = Lab.json().writeValueAsString(series).replace("NaN", "null").replace("</", "<\\/");
        } catch (JsonProcessingException e) {
            throw new IOException(e);
        }
        StringBuilder h = new StringBuilder(js.length() + css.length() + data.length() + 8192);
        h.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bulwark lab: ")
                .append(HtmlText.escape(report.scenario()))
                .append("</title>\n<style>")
                .append(css)
                .append("\nbody{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}"
                        + "pre{background:#f4f4f4;padding:1em;overflow:auto}h2{margin-top:2em}</style>\n")
                .append("<script>")
                .append(js.replace("</script", "<\\/script"))
                .append("</script></head><body>\n<h1>bulwark lab: ")
                .append(HtmlText.escape(report.scenario()))
                .append("</h1>\n<p>")
                .append(HtmlText.escape(
                        report.sites() + " sites, " + report.durationS() + " s per run, on " + report.machine()))
                .append("</p>\n<pre>")
                .append(HtmlText.escape(Lab.table(report)))
                .append("</pre>\n<div id=\"runs\"></div>\n<script>\nconst series = ")
                .append(data)
                .append(";\n")
                .append("""
                        const root = document.getElementById('runs');
                        for (const s of series) {
                          const h = document.createElement('h2');
                          h.textContent = s.name + ' (phases: ' + s.phases.map((p, i) => p + ' @' + s.phase_starts[i] + 's').join(', ') + ')';
                          root.appendChild(h);
                          const x = s.bystander_success.map((_, i) => i);
                          const opts = (title, series, y) => ({title, width: 1000, height: 260,
                            scales: {x: {time: false}, y: y}, axes: [{label: 'second'}, {}], series: [{label: 's'}, ...series]});
                          const a = document.createElement('div'); root.appendChild(a);
                          new uPlot(opts('legitimate success per second (%)', [
                            {label: 'bystanders', stroke: 'green', width: 2},
                            {label: 'targets', stroke: 'orange', width: 2}], {range: [0, 100]}),
                            [x, s.bystander_success, s.target_success], a);
                          const b = document.createElement('div'); root.appendChild(b);
                          new uPlot(opts('requests per second', [
                            {label: 'attack sent', stroke: 'red'},
                            {label: 'attack at origin', stroke: 'purple', width: 2},
                            {label: 'legit at origin', stroke: 'blue'}], {}),
                            [x, s.attack_sent, s.origin_attack, s.origin_legit], b);
                          const c = document.createElement('div'); root.appendChild(c);
                          new uPlot(opts('origin load (end of each second)', [
                            {label: 'workers busy', stroke: 'black', width: 2},
                            {label: 'backlog', stroke: 'gray'}], {}),
                            [x, s.origin_busy, s.origin_queued], c);
                        }
                        </script></body></html>
                        """);
        return h.toString();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = LabHtml.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + ": not on the class path (expected: the org.webjars.npm:uplot jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
