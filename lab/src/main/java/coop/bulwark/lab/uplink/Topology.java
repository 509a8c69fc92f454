package coop.bulwark.lab.uplink;

import java.io.IOException;
import java.util.List;

/**
 * The three namespaces and their links: {@code inet} (people, bots and reflectors) — {@code upstream} (the router,
 * forwarding) — {@code edge} (Bulwark, its origin, ExaBGP). The router's link toward the edge is the uplink: a
 * {@code tc tbf} on the router's side shapes it to the plan's capacity, as the provider's port would. Veth pairs are
 * created directly inside the namespaces, so nothing of this touches the host's own interfaces, routes or tables;
 * {@link #close} deletes the namespaces by name.
 */
final class Topology implements AutoCloseable {
    /** The router's interface toward the edge, where the uplink is shaped and measured. */
    static final String UPLINK = "ul-up1";

    /** The edge's interface toward the router, which Bulwark watches as its uplink. */
    static final String EDGE_UPLINK = "ul-edge0";

    final Namespace inet;
    final Namespace upstream;
    final Namespace edge;

    private Topology(Namespace inet, Namespace upstream, Namespace edge) {
        this.inet = inet;
        this.upstream = upstream;
        this.edge = edge;
    }

    static Topology build(UplinkPlan plan) throws IOException {
        String suffix = "-" + ProcessHandle.current().pid();
        Namespace inet = null;
        Namespace upstream = null;
        Namespace edge = null;
        try {
            inet = Namespace.create("bw-ul-inet" + suffix);
            upstream = Namespace.create("bw-ul-up" + suffix);
            edge = Namespace.create("bw-ul-edge" + suffix);
            Topology t = new Topology(inet, upstream, edge);
            t.wire(plan);
            return t;
        } catch (IOException | RuntimeException e) {
            for (Namespace ns : new Namespace[] {edge, upstream, inet}) {
                if (ns != null) {
                    ns.close();
                }
            }
            throw e;
        }
    }

    private void wire(UplinkPlan plan) throws IOException {
        for (Namespace ns : new Namespace[] {inet, upstream, edge}) {
            // Sources come from ranges routed by hand; strict reverse-path filtering would drop some of them.
            ns.ok("sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
            ns.ok("sysctl", "-qw", "net.ipv4.conf.default.rp_filter=0");
        }
        link("ul-inet0", inet, "ul-up0", upstream);
        link(UPLINK, upstream, EDGE_UPLINK, edge);

        inet.ok("ip", "addr", "add", UplinkPlan.INET_SIDE + "/30", "dev", "ul-inet0");
        inet.ok("ip", "link", "set", "ul-inet0", "up");
        inet.ok("ip", "route", "add", "default", "via", UplinkPlan.ROUTER_INET_SIDE);
        // Every address of these ranges is local in inet (as on loopback's 127/8): each person, bot and reflector
        // binds its own source address without one `ip addr` per address.
        for (String range : List.of(UplinkPlan.PEOPLE, UplinkPlan.REFLECTORS, UplinkPlan.BOTNET)) {
            inet.ok("ip", "route", "add", "local", range, "dev", "lo");
        }

        upstream.ok("ip", "addr", "add", UplinkPlan.ROUTER_INET_SIDE + "/30", "dev", "ul-up0");
        upstream.ok("ip", "addr", "add", UplinkPlan.ROUTER_EDGE_SIDE + "/30", "dev", UPLINK);
        upstream.ok("ip", "link", "set", "ul-up0", "up");
        upstream.ok("ip", "link", "set", UPLINK, "up");
        upstream.ok("sysctl", "-qw", "net.ipv4.ip_forward=1");
        for (String range : List.of(UplinkPlan.PEOPLE, UplinkPlan.REFLECTORS, UplinkPlan.BOTNET)) {
            upstream.ok("ip", "route", "add", range, "via", UplinkPlan.INET_SIDE);
        }
        upstream.ok("ip", "route", "add", "203.0.113.0/24", "via", UplinkPlan.EDGE_SIDE);
        // The provider's port: tbf at the uplink's rate with a queue counted in packets, as a switch port's buffer
        // is. tbf's own queue counts bytes, so a full one still takes a person's 60-byte ACK where the flood's
        // 1,400-byte datagram no longer fits, and the flood would cost people only latency; on a real port it
        // costs them their packets.
        upstream.ok(
                "tc",
                "qdisc",
                "add",
                "dev",
                UPLINK,
                "root",
                "handle",
                "1:",
                "tbf",
                "rate",
                plan.uplinkBitsPerSecond() / 1000 + "kbit",
                "burst",
                "32kbit",
                "latency",
                "50ms");
        upstream.ok("tc", "qdisc", "add", "dev", UPLINK, "parent", "1:1", "handle", "10:", "pfifo", "limit", "100");

        edge.ok("ip", "addr", "add", UplinkPlan.EDGE_SIDE + "/30", "dev", EDGE_UPLINK);
        edge.ok("ip", "link", "set", EDGE_UPLINK, "up");
        edge.ok("ip", "addr", "add", UplinkPlan.TARGET_ADDRESS + "/32", "dev", "lo");
        edge.ok("ip", "addr", "add", UplinkPlan.BYSTANDER_ADDRESS + "/32", "dev", "lo");
        edge.ok("ip", "route", "add", "default", "via", UplinkPlan.ROUTER_EDGE_SIDE);
    }

    private static void link(String a, Namespace nsA, String b, Namespace nsB) throws IOException {
        Namespace.Result r = Namespace.run(List.of(
                "ip", "link", "add", a, "netns", nsA.name(), "type", "veth", "peer", "name", b, "netns", nsB.name()));
        if (r.code() != 0) {
            throw new IOException(
                    "ip link add " + a + " (veth to " + b + "): " + r.output().strip());
        }
    }

    /** The uplink's counters at the router: bytes it carried toward the edge and packets its queue dropped. */
    LinkSample sample() {
        Namespace.Result r = upstream.run("tc", "-s", "qdisc", "show", "dev", UPLINK);
        return LinkSample.parse(System.nanoTime(), r.output());
    }

    @Override
    public void close() {
        for (Namespace ns : new Namespace[] {edge, upstream, inet}) {
            ns.close();
        }
    }
}
