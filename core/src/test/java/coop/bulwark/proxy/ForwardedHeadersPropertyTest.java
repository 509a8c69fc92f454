package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.Cidr;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ForwardedHeaders} and {@link ClientAddress#clientFromForwardedFor} against a small reference model, on
 * random header sets from fixed seeds: random name case, hop-by-hop fields, Connection lists naming other fields
 * (over one or several lines), forwarding fields, trusted and untrusted peers. A failure names its seed and case.
 */
class ForwardedHeadersPropertyTest {
    static final int CASES_PER_SEED = 400;
    static final List<String> HOP_BY_HOP = List.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "proxy-authenticate",
            "proxy-authorization");
    static final List<String> ORDINARY = List.of(
            "accept",
            "accept-encoding",
            "cookie",
            "user-agent",
            "content-type",
            "content-length",
            "cache-control",
            "x-custom",
            "x-request-id",
            "authorization",
            "set-cookie",
            "etag",
            "vary");
    static final List<String> FORWARDING = List.of("x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-proto");
    static final List<Cidr> TRUSTED = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));

    record Field(String name, String value) {}

    /** A random header set and what the model knows about it. */
    record Sample(List<Field> fields, Set<String> connectionNamed) {
        HttpHeaders headers() {
            var h = new DefaultHttpHeaders(false);
            for (Field f : fields) {
                h.add(f.name, f.value);
            }
            return h;
        }

        List<String> values(String lowerName) {
            return fields.stream()
                    .filter(f -> f.name.equalsIgnoreCase(lowerName))
                    .map(Field::value)
                    .toList();
        }
    }

    /** The hop a random request arrives over: a trusted proxy or not, the client behind it, the scheme and authority. */
    record Hop(boolean trusted, String peerText, InetAddress client, String scheme, String authority) {
        static Hop random(Random rnd) {
            boolean trusted = rnd.nextBoolean();
            String peerText = trusted ? "10.9.8.7" : "203.0.113." + rnd.nextInt(256);
            InetAddress client = ip(rnd.nextBoolean() ? peerText : randomAddress(rnd, false));
            String scheme = rnd.nextBoolean() ? "http" : "https";
            String authority = rnd.nextBoolean() ? "site.test" : "site.test:8443";
            return new Hop(trusted, peerText, client, scheme, authority);
        }

        ClientInfo info() {
            return new ClientInfo(new InetSocketAddress(ip(peerText), 5000), ip(peerText), trusted, false, null);
        }

        Admission.Admitted admitted() {
            return new Admission.Admitted(null, authority, "/p", client);
        }
    }

    static String randomCase(Random rnd, String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(rnd.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return b.toString();
    }

    static String token(Random rnd) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_;=/ .";
        int n = 1 + rnd.nextInt(12);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString().trim().isEmpty() ? "v" : b.toString().trim();
    }

    static String pick(Random rnd, List<String> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    static Sample sample(Random rnd) {
        List<Field> fields = new ArrayList<>();
        Set<String> named = new HashSet<>();
        int n = rnd.nextInt(14);
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(10);
            String name;
            String value;
            if (kind < 5) {
                name = pick(rnd, ORDINARY);
                value = name.equals("content-length") ? Integer.toString(rnd.nextInt(100)) : token(rnd);
            } else if (kind < 7) {
                name = pick(rnd, HOP_BY_HOP);
                value = token(rnd);
                if (name.equals("connection")) {
                    // A Connection list naming some other fields, in any case and spacing (RFC 9110 §7.6.1).
                    List<String> tokens = new ArrayList<>();
                    for (int t = rnd.nextInt(4); t >= 0; t--) {
                        String target = rnd.nextInt(4) == 0 ? pick(rnd, HOP_BY_HOP) : pick(rnd, ORDINARY);
                        named.add(target);
                        tokens.add(randomCase(rnd, target));
                    }
                    if (rnd.nextBoolean()) {
                        tokens.add(rnd.nextBoolean() ? "close" : "keep-alive");
                        named.add(tokens.get(tokens.size() - 1));
                    }
                    value = String.join(rnd.nextBoolean() ? ", " : " ,", tokens);
                }
            } else if (kind < 9) {
                name = pick(rnd, FORWARDING);
                value = switch (name) {
                    case "x-forwarded-for" -> randomAddress(rnd, true) + ", " + randomAddress(rnd, true);
                    case "forwarded" -> "for=" + randomAddress(rnd, true) + ";proto=https";
                    case "x-forwarded-proto" -> rnd.nextBoolean() ? "https" : "http";
                    default -> randomAddress(rnd, true);
                };
            } else {
                name = rnd.nextBoolean() ? "host" : "expect";
                value = name.equals("host") ? "evil.example" : "100-continue";
            }
            fields.add(new Field(randomCase(rnd, name), value));
        }
        return new Sample(fields, named);
    }

    static String randomAddress(Random rnd, boolean v4Only) {
        int k = rnd.nextInt(v4Only ? 2 : 3);
        return switch (k) {
            case 0 -> "10." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256);
            case 1 -> "198.51.100." + rnd.nextInt(256);
            default -> "2001:db8::" + Integer.toHexString(1 + rnd.nextInt(0xffff));
        };
    }

    static InetAddress ip(String s) {
        return ClientAddress.parseIpLiteral(s);
    }

    /** Header lines of {@code h} as (lower-case name, value), in order. */
    static List<Field> lines(HttpHeaders h) {
        List<Field> l = new ArrayList<>();
        for (Map.Entry<String, String> e : h) {
            l.add(new Field(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        }
        return l;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1337, 20240601, 7_777_777, 987654321})
    void toOrigin_matchesTheModel(long seed) {
        Random rnd = new Random(seed);
        for (int c = 0; c < CASES_PER_SEED; c++) {
            Sample s = sample(rnd);
            Hop hop = Hop.random(rnd);
            boolean hasBody = rnd.nextBoolean();
            boolean trusted = hop.trusted();
            String peerText = hop.peerText();
            InetAddress client = hop.client();
            String scheme = hop.scheme();
            String authority = hop.authority();
            var info = hop.info();
            var admitted = hop.admitted();
            var in = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/p", s.headers());

            var out = ForwardedHeaders.toOrigin(in, admitted, info, scheme, hasBody);

            String where = "seed " + seed + " case " + c + " trusted=" + trusted + " in=" + s.fields;
            Set<String> setByUs = Set.of(
                    "host", "x-forwarded-for", "x-real-ip", "x-forwarded-proto", "forwarded", "transfer-encoding");
            List<Field> expectedKept = s.fields.stream()
                    .map(f -> new Field(f.name.toLowerCase(Locale.ROOT), f.value))
                    .filter(f -> !HOP_BY_HOP.contains(f.name)
                            && !s.connectionNamed.contains(f.name)
                            && !setByUs.contains(f.name)
                            && !f.name.equals("expect"))
                    .toList();
            List<Field> kept = lines(out.headers()).stream()
                    .filter(f -> !setByUs.contains(f.name))
                    .toList();
            assertThat(kept).as(where).containsExactlyElementsOf(expectedKept);

            var h = out.headers();
            assertThat(h.getAll("host")).as(where).containsExactly(authority);
            String clientText = client.getHostAddress();
            List<String> xff = s.values("x-forwarded-for");
            assertThat(h.getAll("x-forwarded-for"))
                    .as(where)
                    .containsExactly(trusted && !xff.isEmpty() ? String.join(", ", xff) + ", " + peerText : clientText);
            assertThat(h.getAll("x-real-ip")).as(where).containsExactly(clientText);
            List<String> xfp = s.values("x-forwarded-proto");
            assertThat(h.getAll("x-forwarded-proto"))
                    .as(where)
                    .containsExactly(trusted && !xfp.isEmpty() ? xfp.get(0) : scheme);
            String element = "for=" + ForwardedHeaders.forwardedNode(client, client.getHostAddress()) + ";proto="
                    + scheme + ";host=" + (authority.contains(":") ? "\"" + authority + "\"" : authority);
            List<String> fwd = s.values("forwarded");
            assertThat(h.getAll("forwarded"))
                    .as(where)
                    .containsExactly(trusted && !fwd.isEmpty() ? String.join(", ", fwd) + ", " + element : element);
            boolean lengthKept = expectedKept.stream().anyMatch(f -> f.name.equals("content-length"));
            assertThat(h.getAll("transfer-encoding"))
                    .as(where)
                    .isEqualTo(hasBody && !lengthKept ? List.of("chunked") : List.of());
        }
    }

    /**
     * The cache looks a request up through {@link OriginHeaderView} before {@code toOrigin} edits it, and stores its
     * response by the edited request: for every field name, both must read the same values.
     */
    @ParameterizedTest
    @ValueSource(longs = {8, 9, 77, 2024, 65537})
    void originHeaderView_readsWhatToOriginWillLeave(long seed) {
        Random rnd = new Random(seed);
        List<String> names = new ArrayList<>(ORDINARY);
        names.addAll(HOP_BY_HOP);
        names.addAll(FORWARDING);
        names.addAll(List.of("host", "expect", "close", "keep-alive", "x-absent"));
        for (int c = 0; c < CASES_PER_SEED; c++) {
            Sample s = sample(rnd);
            Hop hop = Hop.random(rnd);
            boolean trusted = hop.trusted();
            var info = hop.info();
            var admitted = hop.admitted();
            String scheme = hop.scheme();
            HttpHeaders unedited = s.headers();
            var view = new OriginHeaderView(new NettyHeaderView(unedited), admitted, info, scheme);
            Map<String, List<String>> seen = new HashMap<>();
            for (String name : names) {
                String asked = randomCase(rnd, name);
                seen.put(name, view.getAll(asked));
                assertThat(view.get(asked))
                        .isEqualTo(
                                view.getAll(asked).isEmpty()
                                        ? null
                                        : view.getAll(asked).get(0));
            }
            List<Field> viewed = new ArrayList<>();
            view.forEach((n, v) -> viewed.add(new Field(n.toLowerCase(Locale.ROOT), v)));
            assertThat(lines(unedited)).as("the view edits nothing").isEqualTo(lines(s.headers()));

            var out = ForwardedHeaders.toOrigin(
                    new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/p", unedited),
                    admitted,
                    info,
                    scheme,
                    false);
            String where = "seed " + seed + " case " + c + " trusted=" + trusted + " in=" + s.fields;
            for (String name : names) {
                assertThat(seen.get(name))
                        .as(where + " field " + name)
                        .isEqualTo(out.headers().getAll(name));
            }
            assertThat(viewed).as(where).containsExactlyInAnyOrderElementsOf(lines(out.headers()));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {5, 6, 99, 4242, 31337, 55555555})
    void toClient_dropsHopByHopAndConnectionNamedFields_andKeepsTheRestInOrder(long seed) {
        Random rnd = new Random(seed);
        for (int c = 0; c < CASES_PER_SEED; c++) {
            Sample s = sample(rnd);
            var in = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, s.headers());

            var out = ForwardedHeaders.toClient(in, HttpVersion.HTTP_1_0);

            List<Field> expected = s.fields.stream()
                    .map(f -> new Field(f.name.toLowerCase(Locale.ROOT), f.value))
                    .filter(f -> !HOP_BY_HOP.contains(f.name) && !s.connectionNamed.contains(f.name))
                    .toList();
            assertThat(lines(out.headers()))
                    .as("seed %d case %d in=%s", seed, c, s.fields)
                    .containsExactlyElementsOf(expected);
            assertThat(out.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 2718281, 314159})
    void clientFromForwardedFor_isTheRightMostUntrustedAddress(long seed) {
        Random rnd = new Random(seed);
        InetAddress peer = ip("10.0.0.1");
        for (int c = 0; c < CASES_PER_SEED; c++) {
            int n = rnd.nextInt(6);
            List<String> entries = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = rnd.nextInt(12);
                entries.add(
                        switch (k) {
                            case 0 -> "unknown";
                            case 1 -> "";
                            case 2 -> "1.2.3";
                            case 3 -> "fd00::" + Integer.toHexString(1 + rnd.nextInt(999));
                            case 4 -> "[2001:db8::" + Integer.toHexString(1 + rnd.nextInt(999)) + "]";
                            case 5, 6, 7 -> "10." + rnd.nextInt(256) + ".0." + rnd.nextInt(256);
                            default -> randomAddress(rnd, false);
                        });
            }
            // The model: scan from the right; a trusted proxy is skipped, the first other valid address is the
            // client, anything unparsable (or running out) means the peer.
            InetAddress expected = peer;
            for (int i = entries.size() - 1; i >= 0; i--) {
                String e = entries.get(i);
                InetAddress a = e.isEmpty() || e.equals("unknown") || e.equals("1.2.3") ? null : ip(e);
                if (a == null) {
                    break;
                }
                if (!TRUSTED.stream().anyMatch(cidr -> cidr.contains(a))) {
                    expected = a;
                    break;
                }
            }
            // Split the list over one to three field lines with random spacing.
            var h = new DefaultHttpHeaders(false);
            int lines = n == 0 ? 0 : 1 + rnd.nextInt(Math.min(3, n));
            int per = lines == 0 ? 0 : (n + lines - 1) / lines;
            for (int i = 0; i < n; i += per) {
                var part = entries.subList(i, Math.min(n, i + per));
                h.add(randomCase(rnd, "x-forwarded-for"), String.join(rnd.nextBoolean() ? "," : " , ", part));
            }

            assertThat(ClientAddress.clientFromForwardedFor(h.getAll("x-forwarded-for"), peer, TRUSTED))
                    .as("seed %d case %d xff=%s", seed, c, h.getAll("x-forwarded-for"))
                    .isEqualTo(expected);
        }
    }
}
