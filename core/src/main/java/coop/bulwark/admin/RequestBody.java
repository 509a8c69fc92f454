package coop.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;

/**
 * A JSON request body checked against the fields an endpoint accepts: an unknown field is an error (a misspelt
 * {@code "duraton"} must not silently become a permanent ban), and fields must be strings.
 */
final class RequestBody {
    private final JsonNode node;

    private RequestBody(JsonNode node) {
        this.node = node;
    }

    static RequestBody of(JsonNode node, String... fields) throws ApiException {
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("body: expected a JSON object");
        }
        List<String> known = List.of(fields);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw ApiException.badRequest(f + ": unknown field (expected: " + String.join(", ", known) + ")");
            }
        }
        return new RequestBody(node);
    }

    String required(String field) throws ApiException {
        String v = optional(field);
        if (v == null) {
            throw ApiException.badRequest(field + ": missing");
        }
        return v;
    }

    /** The string value of {@code field}, or null when absent or JSON null. */
    String optional(String field) throws ApiException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field + ": " + v + " (expected: a string)");
        }
        return v.asText();
    }
}
