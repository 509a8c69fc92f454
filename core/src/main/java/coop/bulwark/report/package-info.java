/**
 * Incident reports, pure Java (no Netty): what happened during an attack, written for operators and members.
 *
 * <p><b>Per tick</b>, on the detection tick thread, after {@code Detector.tick}: {@link
 * coop.bulwark.report.IncidentRecorder#onTick} with the tick's time, harvest, global signals and events; it returns
 * the final report of an attack that ended at this tick, which goes to {@link coop.bulwark.report.ReportWriter#submit}
 * (written off the tick thread as {@code <id>.json}, {@code .md} and {@code .html}, the last two in every language
 * of {@code reports.languages}: {@code <id>.es.md}). Mitigations the detector does
 * not make come in through {@link coop.bulwark.report.IncidentRecorder#onMitigation} from any thread.
 *
 * <p><b>On demand</b> (admin API): {@link coop.bulwark.report.IncidentRecorder#current} for the open attack, {@link
 * coop.bulwark.report.ReportWriter#list} and {@link coop.bulwark.report.ReportWriter#read} for past ones, {@link
 * coop.bulwark.report.ReportFormat#render} for any of the three forms.
 *
 * <p>Words: every phrase of the Markdown and HTML reports is in one table, {@link coop.bulwark.report.Phrase}, in
 * every {@link coop.bulwark.report.ReportLanguage}, which also spells figures and dates its way.
 *
 * <p>The JSON field names of {@link coop.bulwark.report.IncidentReport} are a contract: docs/reports.md.
 */
package coop.bulwark.report;
