package coop.bulwark.admin;

import coop.bulwark.report.HtmlReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The dashboard's static files, served without a token at {@code /} and {@code /assets/...}: the page, its script and
 * style (resources next to this class) and uPlot from its webjar. Only the paths listed here are served, read once
 * from the jar; nothing is looked up from the request path, so no request can reach any other resource. The page holds
 * no data: every figure comes from the API with the token the operator enters.
 */
final class DashboardAssets {
    /** A file to serve. */
    record Asset(String contentType, byte[] bytes) {}

    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

    /** Request path to (resource, content type). */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"/coop/bulwark/admin/dashboard.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"/coop/bulwark/admin/dashboard.html", "text/html; charset=utf-8"},
            "/assets/dashboard.js", new String[] {"/coop/bulwark/admin/dashboard.js", "text/javascript; charset=utf-8"},
            "/assets/dashboard.css", new String[] {"/coop/bulwark/admin/dashboard.css", "text/css; charset=utf-8"},
            "/assets/uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/assets/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    /**
     * Same origin only: no inline script, no third-party resource, no framing. uPlot sizes its elements through the
     * style properties of the DOM, which this policy allows. The one inline style allowed, by its hash, is the
     * incident report's: the page opens a report in a Blob-URL tab (the API needs the token, a link cannot send it),
     * and such a tab inherits this policy.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' '"
            + styleHash(HtmlReport.STYLE) + "'; img-src 'self' data:; connect-src 'self'; base-uri 'none';"
            + " form-action 'none'; frame-ancestors 'none'";

    /** {@code sha256-BASE64} of a style block's text, as CSP hash sources name it. */
    static String styleHash(String style) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(style.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private final Map<String, Asset> assets;

    DashboardAssets() {
        HashMap<String, Asset> m = new HashMap<>();
        for (Map.Entry<String, String[]> e : FILES.entrySet()) {
            byte[] bytes = read(e.getValue()[0]);
            if (bytes != null) {
                m.put(e.getKey(), new Asset(e.getValue()[1], bytes));
            }
        }
        this.assets = Map.copyOf(m);
    }

    /** Whether {@code path} is one of the dashboard's files (served without a token). */
    static boolean isAssetPath(String path) {
        return FILES.containsKey(path);
    }

    /** The file for {@code path}, or null when it is not a dashboard file or missing from the jar. */
    Asset get(String path) {
        return assets.get(path);
    }

    private static byte[] read(String resource) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }
}
