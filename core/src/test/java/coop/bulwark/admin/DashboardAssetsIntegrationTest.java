package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The dashboard's static files over real sockets: no token, listed paths only, same-origin policy headers. */
class DashboardAssetsIntegrationTest {
    @TempDir
    static Path dir;

    static AdminFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new AdminFixture(dir, 1000);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @ParameterizedTest
    @CsvSource({
        "/,text/html,<html lang=\"en\">",
        "/index.html,text/html,/assets/dashboard.js",
        "/assets/dashboard.js,text/javascript,sessionStorage",
        "/assets/dashboard.css,text/css,@media",
        "/assets/uPlot.iife.min.js,text/javascript,uPlot",
        "/assets/uPlot.min.css,text/css,.uplot"
    })
    void dashboardFiles_needNoToken(String path, String type, String contains) throws Exception {
        HttpResponse<String> r = f.call("GET", path, null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith(type));
        assertThat(r.body()).contains(contains);
        assertThat(r.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(
                        c -> assertThat(c).contains("default-src 'none'").contains("script-src 'self'"));
        assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    }

    @Test
    void pageLoadsNothingFromElsewhere() throws Exception {
        String page = f.call("GET", "/", null, null).body();
        assertThat(page).doesNotContain("http://").doesNotContain("https://").doesNotContain("//cdn");
        assertThat(page).contains("<meta name=\"viewport\"");
    }

    @Test
    void otherPaths_stillNeedTheToken_andDataStaysBehindIt() throws Exception {
        assertThat(f.call("GET", "/assets/other.js", null, null).statusCode()).isEqualTo(401);
        assertThat(f.call("GET", "/assets/../api/status", null, null).statusCode())
                .isEqualTo(401);
        assertThat(f.call("GET", "/META-INF/MANIFEST.MF", null, null).statusCode())
                .isEqualTo(401);
        assertThat(f.call("GET", "/api/sites", null, null).statusCode()).isEqualTo(401);
        assertThat(f.call("GET", "/assets/other.js", null).statusCode()).isEqualTo(404);
    }

    @Test
    void dashboardFiles_acceptOnlyGetAndHead() throws Exception {
        assertThat(f.call("POST", "/", "{}", null).statusCode()).isEqualTo(405);
        HttpResponse<String> head = f.call("HEAD", "/assets/dashboard.css", null, null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void siteView_hasOriginLatencyTotals() throws Exception {
        JsonNode site = new ObjectMapper()
                .readTree(f.call("GET", "/api/sites/alpha", null).body());
        assertThat(site.get("origin_latency").get("count").asLong()).isZero();
        assertThat(site.get("origin_latency").get("total_seconds").isNumber()).isTrue();
    }
}
