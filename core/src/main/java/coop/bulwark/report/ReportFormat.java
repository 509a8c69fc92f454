package coop.bulwark.report;

/** The forms a report is written in, with their file extension and media type. */
public enum ReportFormat {
    JSON("json", "application/json"),
    MARKDOWN("md", "text/markdown; charset=utf-8"),
    HTML("html", "text/html; charset=utf-8");

    private final String extension;
    private final String mediaType;

    ReportFormat(String extension, String mediaType) {
        this.extension = extension;
        this.mediaType = mediaType;
    }

    /** The file extension, without the dot. */
    public String extension() {
        return extension;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The report in this form, in English. */
    public String render(IncidentReport report) {
        return render(report, ReportLanguage.EN);
    }

    /** The report in this form and language (JSON is the same in every language). */
    public String render(IncidentReport report, ReportLanguage lang) {
        return switch (this) {
            case JSON -> ReportJson.render(report);
            case MARKDOWN -> MarkdownReport.render(report, lang);
            case HTML -> HtmlReport.render(report, lang);
        };
    }

    /** Whether the text depends on the language (Markdown and HTML do; JSON is language-neutral). */
    public boolean translated() {
        return this != JSON;
    }
}
