package coop.bulwark.lab.uplink;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One FlowSpec rule as BIRD holds it in its flow table ({@code birdc show route table … all}): the destination and
 * source prefixes it matches and its traffic-rate action (RFC 8955 §7.3: an IEEE float of bytes per second, 0 meaning
 * discard).
 *
 * @param rateBytesPerSecond 0: discard; otherwise the rate above which the router drops
 */
record FlowRule(String destination, String source, float rateBytesPerSecond) {
    private static final Pattern HEAD = Pattern.compile("^flow4\\s*\\{(.*?)\\}");
    private static final Pattern DST = Pattern.compile("\\bdst\\s+([0-9./]+)");
    private static final Pattern SRC = Pattern.compile("\\bsrc\\s+([0-9./]+)");
    private static final Pattern RATE = Pattern.compile("\\(generic,\\s*0x80060000,\\s*0x([0-9a-fA-F]+)\\)");

    /** The rules in {@code birdc}'s listing of a flow table; a rule without a destination is skipped, never widened. */
    static List<FlowRule> parse(String birdcOutput) {
        List<FlowRule> rules = new ArrayList<>();
        String dst = null;
        String src = null;
        float rate = 0;
        for (String line : birdcOutput.split("\n")) {
            Matcher head = HEAD.matcher(line.strip());
            if (head.find()) {
                add(rules, dst, src, rate);
                Matcher d = DST.matcher(head.group(1));
                Matcher s = SRC.matcher(head.group(1));
                dst = d.find() ? d.group(1) : null;
                src = s.find() ? s.group(1) : null;
                rate = 0;
                continue;
            }
            Matcher r = RATE.matcher(line);
            if (dst != null && r.find()) {
                rate = Float.intBitsToFloat((int) Long.parseLong(r.group(1), 16));
            }
        }
        add(rules, dst, src, rate);
        return rules;
    }

    private static void add(List<FlowRule> rules, String dst, String src, float rate) {
        if (dst != null) {
            rules.add(new FlowRule(dst, src, rate));
        }
    }

    /** The rule as the lab's JSON names an announcement's match. */
    String match() {
        return (source == null ? "" : "source " + source + " ") + "destination " + destination;
    }

    /** The nft rule that enforces it in the router's forward chain. */
    String nftRule() {
        StringBuilder b = new StringBuilder();
        if (source != null) {
            b.append("ip saddr ").append(source).append(' ');
        }
        b.append("ip daddr ").append(destination).append(' ');
        if (rateBytesPerSecond > 0) {
            b.append(String.format(Locale.ROOT, "limit rate over %d bytes/second ", (long) rateBytesPerSecond));
        }
        return b.append("counter drop").toString();
    }
}
