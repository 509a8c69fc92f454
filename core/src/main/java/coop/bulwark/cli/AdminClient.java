package coop.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The CLI's side of the admin API: one request, the JSON answer, or an {@link Failure} whose message says what went
 * wrong in an operator's words (nothing listening, wrong token, no such site...).
 */
final class AdminClient {
    /** A call that did not succeed; the message is printed as is. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The raw JSON text of a successful call. */
    String call(String method, String pathAndQuery, JsonNode body) throws Failure {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(pathAndQuery))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure("cannot connect to the admin API at " + base
                    + " (is bulwark serve running, and is admin.listen this address?)");
        } catch (HttpTimeoutException e) {
            throw new Failure("the admin API at " + base + " did not answer in time");
        } catch (IOException e) {
            throw new Failure("admin API at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        if (r.statusCode() / 100 == 2) {
            return r.body();
        }
        String message = errorText(r.body());
        throw new Failure(
                switch (r.statusCode()) {
                    case 401 -> "not authorised: " + message + " (check --token-file, or admin.token_file in --config)";
                    case 429 -> "locked out after too many wrong tokens: " + message;
                    default -> message + " (HTTP " + r.statusCode() + ")";
                });
    }

    JsonNode callJson(String method, String pathAndQuery, JsonNode body) throws Failure {
        return callJsonText(call(method, pathAndQuery, body));
    }

    /** Parses the text a successful {@link #call} returned. */
    JsonNode callJsonText(String text) throws Failure {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new Failure("the admin API answered something that is not JSON");
        }
    }

    private static String errorText(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("error")) {
                return n.get("error").asText();
            }
        } catch (IOException e) {
            // Not ours (a proxy's error page?): show the start of it below.
        }
        return body.length() > 200 ? body.substring(0, 200) + "..." : body.strip();
    }
}
