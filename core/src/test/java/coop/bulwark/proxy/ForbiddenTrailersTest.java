package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForbiddenTrailersTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "Content-Length",
                "transfer-encoding",
                "HOST",
                "X-Forwarded-For",
                "Forwarded",
                "Authorization",
                "Cookie",
                "Connection",
                "Upgrade",
                "Content-Type",
                "Range",
                ":path"
            })
    void framingRoutingAuthAndPseudoFields_areForbidden(String name) {
        assertThat(ForbiddenTrailers.forbidden(name)).isTrue();
        assertThat(ForbiddenTrailers.any(
                        new DefaultHttpHeaders(false).add("x-ok", "1").add(name, "v")))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Checksum", "Server-Timing", "Content-Digest", "grpc-status", "X-Trace"})
    void ordinaryFields_areAllowed(String name) {
        assertThat(ForbiddenTrailers.forbidden(name)).isFalse();
    }

    @Test
    void noTrailers_areFine() {
        assertThat(ForbiddenTrailers.any(new DefaultHttpHeaders())).isFalse();
    }
}
