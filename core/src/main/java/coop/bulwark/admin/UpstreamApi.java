package coop.bulwark.admin;

import com.fasterxml.jackson.databind.JsonNode;
import coop.bulwark.edge.EdgeServer;
import coop.bulwark.site.UpstreamConfig;
import coop.bulwark.upstream.Announcement;
import coop.bulwark.upstream.ExabgpCommands;
import coop.bulwark.upstream.UpstreamDesk;
import java.time.Clock;
import java.util.List;

/**
 * {@code /api/upstream}: what the upstream is told or suggested to drop. {@code GET} lists it (the {@code exabgp-api}
 * helper follows the announced ones), {@code POST /api/upstream/apply} applies suggestions, {@code DELETE
 * /api/upstream/{id}} withdraws one. Thread-safe (the desk is).
 */
final class UpstreamApi {
    private final EdgeServer edge;
    private final Clock clock;

    UpstreamApi(EdgeServer edge, Clock clock) {
        this.edge = edge;
        this.clock = clock;
    }

    /** One announcement as the API shows it, with the exact ExaBGP lines. */
    record AnnouncementView(
            String id,
            String kind,
            String match,
            String destination,
            String source,
            String state,
            String attackId,
            String reason,
            String since,
            String expires,
            List<String> unreachable,
            String command,
            String withdrawCommand) {
        static AnnouncementView of(Announcement a, UpstreamConfig c) {
            return new AnnouncementView(
                    a.id(),
                    a.kind().key(),
                    a.match(),
                    a.destination().toString(),
                    a.source().map(Object::toString).orElse(null),
                    a.state().key(),
                    a.attackId(),
                    a.reason(),
                    a.since().toString(),
                    a.expires().toString(),
                    a.unreachable(),
                    ExabgpCommands.announce(a, c),
                    ExabgpCommands.withdraw(a, c));
        }
    }

    /**
     * {@code GET /api/upstream}.
     *
     * @param speaker {@code active}, or in a cluster where another node holds the upstream lease,
     *     {@code standby (held by NODE)}
     * @param heldBy that node, else null
     */
    record UpstreamView(
            String mode,
            boolean uplinkSaturated,
            String speaker,
            String heldBy,
            List<AnnouncementView> announcements) {}

    /** {@code POST /api/upstream/apply}: what was applied. */
    record Applied(List<AnnouncementView> applied) {}

    /** {@code DELETE /api/upstream/{id}}. */
    record Withdrawn(String id, boolean withdrawn) {}

    UpstreamView list() {
        UpstreamDesk d = edge.upstream();
        UpstreamConfig c = d.config();
        String heldBy = d.standbyFor().orElse(null);
        return new UpstreamView(
                c.mode().key(),
                d.saturated(),
                heldBy == null ? "active" : "standby (held by " + heldBy + ")",
                heldBy,
                d.list().stream().map(a -> AnnouncementView.of(a, c)).toList());
    }

    /** {@code {"attack_id": "atk-..."}}; without it, every suggestion. */
    Applied apply(JsonNode body) throws ApiException {
        RequestBody b = RequestBody.of(body, "attack_id");
        UpstreamDesk d = edge.upstream();
        if (d.config().mode() == UpstreamConfig.Mode.OFF) {
            throw new ApiException(409, "upstream.mode is off: nothing is suggested or announced");
        }
        if (d.standbyFor().isPresent()) {
            throw new ApiException(
                    409, "standby (held by " + d.standbyFor().get() + "): that node speaks for the cluster upstream");
        }
        String attack = b.optional("attack_id");
        List<Announcement> applied = d.apply(attack, clock.instant());
        if (applied.isEmpty()
                && attack != null
                && d.list().stream().noneMatch(a -> a.attackId().equals(attack))) {
            throw ApiException.notFound("no suggestion for attack " + attack + " (see GET /api/upstream)");
        }
        return new Applied(
                applied.stream().map(a -> AnnouncementView.of(a, d.config())).toList());
    }

    Withdrawn withdraw(String id) throws ApiException {
        if (id == null || id.isEmpty()) {
            throw ApiException.badRequest("id: missing (DELETE /api/upstream/{id})");
        }
        if (!edge.upstream().withdraw(id, clock.instant())) {
            throw ApiException.notFound("no announcement " + id + " (see GET /api/upstream)");
        }
        return new Withdrawn(id, true);
    }
}
