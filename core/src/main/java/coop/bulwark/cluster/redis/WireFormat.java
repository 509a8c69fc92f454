package coop.bulwark.cluster.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import coop.bulwark.cluster.ClusterMessage;
import coop.bulwark.cluster.NodeReport;
import coop.bulwark.cluster.SharedKey;
import coop.bulwark.cluster.SharedPin;
import coop.bulwark.detect.SiteCounts;
import coop.bulwark.protect.Ban;
import coop.bulwark.protect.BanOrigin;
import coop.bulwark.site.Cidr;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The JSON of values and messages in Redis. Small, explicit and versionless on purpose: every field is named here, so a
 * node reading a value written by another Bulwark version sees a missing field as a parse error (logged, the value
 * skipped), never as a wrong ban.
 *
 * <p>Stateless and thread-safe.
 */
final class WireFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WireFormat() {}

    static String ban(Ban b) {
        return banNode(b).toString();
    }

    private static ObjectNode banNode(Ban b) {
        ObjectNode n = JSON.createObjectNode();
        n.put("subject", b.subject().toString());
        if (b.expiresAt() != null) {
            n.put("expires_at", b.expiresAt().toEpochMilli());
        }
        n.put("reason", b.reason());
        n.put("origin", b.origin().name());
        n.put("strikes", b.strikes());
        if (b.node() != null) {
            n.put("node", b.node());
        }
        return n;
    }

    static Ban ban(String text) throws JsonProcessingException {
        return ban(JSON.readTree(text));
    }

    private static Ban ban(JsonNode n) {
        return new Ban(
                Cidr.parse(required(n, "subject").asText()),
                n.hasNonNull("expires_at")
                        ? Instant.ofEpochMilli(n.get("expires_at").asLong())
                        : null,
                required(n, "reason").asText(),
                BanOrigin.valueOf(required(n, "origin").asText()),
                required(n, "strikes").asInt(),
                n.hasNonNull("node") ? n.get("node").asText() : null);
    }

    static String key(SharedKey k) {
        ObjectNode n = JSON.createObjectNode();
        n.put("rotation_seconds", k.rotationSeconds());
        n.put("epoch", k.epoch());
        n.put("id", k.id());
        n.put("created", k.createdEpochSecond());
        n.put("secret", Base64.getEncoder().encodeToString(k.secret()));
        return n.toString();
    }

    static SharedKey key(String text) throws JsonProcessingException {
        JsonNode n = JSON.readTree(text);
        return new SharedKey(
                required(n, "rotation_seconds").asLong(),
                required(n, "epoch").asLong(),
                required(n, "id").asInt(),
                required(n, "created").asLong(),
                Base64.getDecoder().decode(required(n, "secret").asText()));
    }

    static String pin(SharedPin p) {
        return pinNode(p).toString();
    }

    private static ObjectNode pinNode(SharedPin p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("site", p.site());
        n.put("state", p.state());
        n.put("reason", p.reason());
        if (p.expiresAt() != null) {
            n.put("expires_at", p.expiresAt().toEpochMilli());
        }
        n.put("node", p.node());
        return n;
    }

    static SharedPin pin(String text) throws JsonProcessingException {
        return pin(JSON.readTree(text));
    }

    private static SharedPin pin(JsonNode n) {
        return new SharedPin(
                required(n, "site").asText(),
                required(n, "state").asText(),
                required(n, "reason").asText(),
                n.hasNonNull("expires_at")
                        ? Instant.ofEpochMilli(n.get("expires_at").asLong())
                        : null,
                required(n, "node").asText());
    }

    static String report(NodeReport r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", r.name());
        n.put("instance", r.instance());
        n.put("address", r.address());
        n.put("version", r.version());
        n.put("config_generation", r.configGeneration());
        n.put("at", r.at().toEpochMilli());
        return n.toString();
    }

    static NodeReport report(String text) throws JsonProcessingException {
        JsonNode n = JSON.readTree(text);
        return new NodeReport(
                required(n, "name").asText(),
                required(n, "instance").asText(),
                required(n, "address").asText(),
                required(n, "version").asText(),
                required(n, "config_generation").asLong(),
                Instant.ofEpochMilli(required(n, "at").asLong()));
    }

    static String message(ClusterMessage m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("instance", m.instance());
        switch (m) {
            case ClusterMessage.BanPut p -> {
                n.put("type", "ban");
                n.set("ban", banNode(p.ban()));
            }
            case ClusterMessage.BanLifted l -> {
                n.put("type", "unban");
                n.put("subject", l.subject().toString());
                n.put("node", l.node());
            }
            case ClusterMessage.PinSet p -> {
                n.put("type", "pin");
                n.set("pin", pinNode(p.pin()));
            }
            case ClusterMessage.PinCleared c -> {
                n.put("type", "unpin");
                n.put("site", c.site());
                n.put("node", c.node());
            }
            case ClusterMessage.KeyMade k -> {
                n.put("type", "key");
                n.put("rotation_seconds", k.rotationSeconds());
                n.put("epoch", k.epoch());
            }
            case ClusterMessage.Traffic t -> {
                n.put("type", "traffic");
                n.put("node", t.node());
                n.put("at", t.at().toEpochMilli());
                ObjectNode sites = n.putObject("sites");
                // One array per site, in SiteCounts' order: a message every 250 ms per edge stays small.
                t.sites()
                        .forEach((site, c) -> sites.putArray(site)
                                .add(c.requests())
                                .add(c.clientErrors())
                                .add(c.serverErrors())
                                .add(c.timeouts())
                                .add(c.bytes())
                                .add(c.cookied())
                                .add(c.vouched())
                                .add(c.highEntropy()));
            }
        }
        return n.toString();
    }

    static ClusterMessage message(String text) throws JsonProcessingException {
        JsonNode n = JSON.readTree(text);
        String instance = required(n, "instance").asText();
        String type = required(n, "type").asText();
        return switch (type) {
            case "ban" -> new ClusterMessage.BanPut(ban(required(n, "ban")), instance);
            case "unban" ->
                new ClusterMessage.BanLifted(
                        Cidr.parse(required(n, "subject").asText()),
                        required(n, "node").asText(),
                        instance);
            case "pin" -> new ClusterMessage.PinSet(pin(required(n, "pin")), instance);
            case "unpin" ->
                new ClusterMessage.PinCleared(
                        required(n, "site").asText(), required(n, "node").asText(), instance);
            case "key" ->
                new ClusterMessage.KeyMade(
                        required(n, "rotation_seconds").asLong(),
                        required(n, "epoch").asLong(),
                        instance);
            case "traffic" -> traffic(n, instance);
            default ->
                throw new IllegalArgumentException("message type: " + type + " (expected: ban, unban, pin,"
                        + " unpin, key or traffic; a newer Bulwark on another node?)");
        };
    }

    private static ClusterMessage.Traffic traffic(JsonNode n, String instance) {
        Map<String, SiteCounts> sites = new HashMap<>();
        for (var it = required(n, "sites").properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            JsonNode c = e.getValue();
            if (!c.isArray() || c.size() != 8) {
                throw new IllegalArgumentException("sites." + e.getKey() + ": " + c + " (expected: 8 counts)");
            }
            sites.put(
                    e.getKey(),
                    new SiteCounts(
                            c.get(0).asLong(),
                            c.get(1).asLong(),
                            c.get(2).asLong(),
                            c.get(3).asLong(),
                            c.get(4).asLong(),
                            c.get(5).asLong(),
                            c.get(6).asLong(),
                            c.get(7).asLong()));
        }
        return new ClusterMessage.Traffic(
                required(n, "node").asText(),
                Instant.ofEpochMilli(required(n, "at").asLong()),
                sites,
                instance);
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(field + ": missing (expected: a value written by Bulwark)");
        }
        return v;
    }
}
