package coop.bulwark.kernel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.KernelConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The nftables table Bulwark owns, as text it hands to {@code nft -f -} and JSON it reads back from {@code nft -j}.
 *
 * <pre>
 * table inet bulwark {
 *     set banned4 { type ipv4_addr; flags interval, timeout; }
 *     set banned6 { type ipv6_addr; flags interval, timeout; }
 *     chain drop_banned {
 *         type filter hook prerouting priority -300; policy accept;
 *         ip saddr &#64;banned4 counter drop
 *         ip6 saddr &#64;banned6 counter drop
 *     }
 * }
 * </pre>
 *
 * Priority -300 is before connection tracking (-200): a banned source's SYN costs no conntrack entry. With
 * {@code hook: ingress} the chain is {@code hook ingress device IFACE priority -500}, earlier still.
 *
 * @param name the table's name (family {@code inet})
 * @param hook where the chain hooks
 * @param iface the device of an ingress hook
 */
record NftTable(String name, KernelConfig.Hook hook, Optional<String> iface) {
    static final String SET4 = "banned4";
    static final String SET6 = "banned6";
    static final String CHAIN = "drop_banned";
    /** Elements per {@code add element} statement: keeps batch lines short and nft's error messages readable. */
    private static final int PER_STATEMENT = 256;

    private static final ObjectMapper JSON = new ObjectMapper();

    static NftTable of(KernelConfig.Nftables c) {
        return new NftTable(c.table(), c.hook(), c.iface());
    }

    /**
     * A batch that replaces the table, if any, with an empty one of this layout holding {@code elements}: atomic, so
     * there is never a moment with half a table (the {@code add} makes the {@code delete} safe on a first start).
     */
    String createScript(Collection<SetElement> elements, Instant now) {
        StringBuilder b = new StringBuilder();
        b.append("add table inet ").append(name).append('\n');
        b.append("delete table inet ").append(name).append('\n');
        b.append("table inet ").append(name).append(" {\n");
        b.append("  set ").append(SET4).append(" { type ipv4_addr; flags interval, timeout; }\n");
        b.append("  set ").append(SET6).append(" { type ipv6_addr; flags interval, timeout; }\n");
        b.append("  chain ").append(CHAIN).append(" {\n");
        if (hook == KernelConfig.Hook.INGRESS) {
            b.append("    type filter hook ingress device \"")
                    .append(iface.orElseThrow())
                    .append("\"");
        } else {
            b.append("    type filter hook prerouting");
        }
        b.append(" priority ").append(priority()).append("; policy accept;\n");
        b.append("    ip saddr @").append(SET4).append(" counter drop\n");
        b.append("    ip6 saddr @").append(SET6).append(" counter drop\n");
        b.append("  }\n}\n");
        b.append(changesScript(new SetChanges(List.of(), List.copyOf(elements)), now));
        return b.toString();
    }

    /** A batch of element deletes, then adds (empty text for no changes). */
    String changesScript(SetChanges changes, Instant now) {
        StringBuilder b = new StringBuilder();
        statements(b, "delete", changes.delete(), e -> e.nftKey());
        statements(b, "add", changes.add(), e -> e.nftText(now));
        return b.toString();
    }

    private void statements(StringBuilder b, String verb, List<SetElement> elements, Function<SetElement, String> f) {
        for (boolean v4 : new boolean[] {true, false}) {
            List<String> items = new ArrayList<>();
            for (SetElement e : elements) {
                if (e.v4() == v4) {
                    items.add(f.apply(e));
                }
            }
            for (int i = 0; i < items.size(); i += PER_STATEMENT) {
                b.append(verb)
                        .append(" element inet ")
                        .append(name)
                        .append(' ')
                        .append(v4 ? SET4 : SET6)
                        .append(" { ")
                        .append(String.join(", ", items.subList(i, Math.min(items.size(), i + PER_STATEMENT))))
                        .append(" }\n");
            }
        }
    }

    /** The hook as operators read it: {@code prerouting} or {@code ingress eth0}. */
    String hookText() {
        return hook == KernelConfig.Hook.INGRESS ? "ingress " + iface.orElseThrow() : "prerouting";
    }

    /** The chain's priority: before conntrack (-300) at prerouting, earlier still (-500) at ingress. */
    int priority() {
        return hook == KernelConfig.Hook.INGRESS ? -500 : -300;
    }

    /** A batch that removes the table (nothing else). */
    String deleteScript() {
        return "delete table inet " + name + "\n";
    }

    List<String> listTableArgs() {
        return List.of("-j", "list", "table", "inet", name);
    }

    List<String> listSetArgs(String set) {
        return List.of("-j", "list", "set", "inet", name, set);
    }

    List<String> listChainArgs() {
        return List.of("-j", "list", "chain", "inet", name, CHAIN);
    }

    /**
     * Whether {@code nft -j list table} output shows exactly this layout: both sets with the right type and flags,
     * the chain on the right hook, and its two drop rules. Anything else is rebuilt.
     */
    boolean matchesLayout(String listTableJson) {
        JsonNode items = items(listTableJson);
        if (items == null) {
            return false;
        }
        boolean set4 = false;
        boolean set6 = false;
        boolean chain = false;
        int rules = 0;
        boolean rule4 = false;
        boolean rule6 = false;
        for (JsonNode item : items) {
            JsonNode set = item.get("set");
            if (set != null) {
                String n = set.path("name").asText();
                boolean flags = hasFlags(set.path("flags"));
                if (n.equals(SET4)) {
                    set4 = flags && set.path("type").asText().equals("ipv4_addr");
                } else if (n.equals(SET6)) {
                    set6 = flags && set.path("type").asText().equals("ipv6_addr");
                } else {
                    return false;
                }
            }
            JsonNode c = item.get("chain");
            if (c != null) {
                if (!c.path("name").asText().equals(CHAIN)) {
                    return false;
                }
                chain = c.path("type").asText().equals("filter")
                        && c.path("policy").asText().equals("accept")
                        && (hook == KernelConfig.Hook.INGRESS
                                ? c.path("hook").asText().equals("ingress")
                                        && c.path("prio").asInt() == -500
                                        && sameDevice(c)
                                : c.path("hook").asText().equals("prerouting")
                                        && c.path("prio").asInt() == -300);
            }
            JsonNode r = item.get("rule");
            if (r != null) {
                rules++;
                String text = r.path("expr").toString();
                boolean drop = text.contains("\"counter\"") && text.contains("\"drop\"");
                rule4 |= drop && text.contains("\"@" + SET4 + "\"") && text.contains("\"saddr\"");
                rule6 |= drop && text.contains("\"@" + SET6 + "\"") && text.contains("\"saddr\"");
            }
        }
        return set4 && set6 && chain && rules == 2 && rule4 && rule6;
    }

    /** nft 1.0.6 lists an ingress chain without its device; later versions name it ({@code dev}). */
    private boolean sameDevice(JsonNode chain) {
        JsonNode dev = chain.has("dev") ? chain.get("dev") : chain.get("device");
        return dev == null || dev.asText().equals(iface.orElse(""));
    }

    private static boolean hasFlags(JsonNode flags) {
        boolean interval = false;
        boolean timeout = false;
        for (JsonNode f : flags) {
            interval |= f.asText().equals("interval");
            timeout |= f.asText().equals("timeout");
        }
        return interval && timeout;
    }

    /**
     * The elements of a set from {@code nft -j list set} (or list table) output, with their expiry computed from the
     * kernel's remaining seconds; null when the output is not nft's JSON.
     */
    static Map<Cidr, SetElement> elements(String listJson, Instant now) {
        JsonNode items = items(listJson);
        if (items == null) {
            return null;
        }
        Map<Cidr, SetElement> out = new HashMap<>();
        for (JsonNode item : items) {
            JsonNode set = item.get("set");
            if (set == null) {
                continue;
            }
            for (JsonNode e : set.path("elem")) {
                JsonNode val = e.has("elem") ? e.get("elem").path("val") : e;
                Instant expiry = null;
                if (e.has("elem") && e.get("elem").has("expires")) {
                    // Whole seconds, rounded down by nft: the element may outlive this by up to a second.
                    expiry = now.plusSeconds(e.get("elem").get("expires").asLong() + 1);
                }
                Cidr subject = subject(val);
                if (subject != null) {
                    out.put(subject, new SetElement(subject, expiry));
                }
            }
        }
        return out;
    }

    /** A listed value: {@code "198.51.100.7"} or {@code {"prefix": {"addr": ..., "len": 24}}}; null otherwise. */
    private static Cidr subject(JsonNode val) {
        try {
            if (val.isTextual()) {
                return Cidr.parse(val.asText());
            }
            JsonNode p = val.get("prefix");
            if (p != null) {
                return Cidr.parse(p.path("addr").asText() + "/" + p.path("len").asInt());
            }
        } catch (IllegalArgumentException e) {
            // not an address we wrote (a range added by hand): listed, never matched, deleted by the next rebuild
        }
        return null;
    }

    /** The packets counted by the chain's drop rules, from {@code nft -j list chain}; -1 when unreadable. */
    static long droppedPackets(String listChainJson) {
        JsonNode items = items(listChainJson);
        if (items == null) {
            return -1;
        }
        long sum = 0;
        for (JsonNode item : items) {
            for (JsonNode expr : item.path("rule").path("expr")) {
                JsonNode counter = expr.get("counter");
                if (counter != null) {
                    sum += counter.path("packets").asLong();
                }
            }
        }
        return sum;
    }

    private static JsonNode items(String json) {
        int start = json.indexOf('{');
        if (start < 0) {
            return null;
        }
        try {
            JsonNode root = JSON.readTree(json.substring(start));
            JsonNode items = root.get("nftables");
            return items != null && items.isArray() ? items : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
