package coop.bulwark.warmup;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The warm-up's origin: a small HTTP/1.1 server on loopback, a thread per connection, answering pages (HTML, not
 * cacheable by their headers), slow pages ({@code /slow/}, {@value #SLOW_MILLIS} ms), style sheets (cacheable for a
 * minute) and 404s, and reading request bodies of either framing, as a member's web server would.
 *
 * <p>Thread-safe; {@link #close()} stops it and every connection.
 */
final class WarmupOrigin implements AutoCloseable {
    private static final byte[] PAGE = page();
    private static final byte[] STYLE =
            "body{font-family:sans-serif}\n".repeat(64).getBytes(StandardCharsets.US_ASCII);

    /** How long a {@code /slow/} page takes. */
    static final long SLOW_MILLIS = 20;

    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private WarmupOrigin(ServerSocket server) {
        this.server = server;
    }

    /** Listens on a free loopback port; accepts on a thread of the caller's thread group. */
    static WarmupOrigin start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        WarmupOrigin o = new WarmupOrigin(s);
        Thread t = new Thread(o::acceptLoop, "bulwark-warmup-origin");
        t.setDaemon(true);
        t.start();
        return o;
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket c = server.accept();
                open.add(c);
                Thread t = new Thread(() -> serve(c), "bulwark-warmup-origin-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket c) {
        try (c) {
            c.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(c.getInputStream(), 8192);
            OutputStream out = c.getOutputStream();
            while (!closed) {
                HttpHead req = HttpHead.read(in);
                if (req == null) {
                    return;
                }
                req.skipBody(in);
                String path = req.target();
                byte[] body;
                String head;
                if (path.startsWith("/static/")) {
                    body = STYLE;
                    head = "HTTP/1.1 200 OK\r\nContent-Type: text/css\r\nCache-Control: public, max-age=60\r\n";
                } else if (path.startsWith("/slow/")) {
                    // A page the origin takes its time over, long enough for a client to leave before it is ready.
                    sleep(SLOW_MILLIS);
                    body = PAGE;
                    head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n";
                } else if (path.startsWith("/missing")) {
                    body = "not here\n".getBytes(StandardCharsets.US_ASCII);
                    head = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n";
                } else {
                    body = PAGE;
                    head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n";
                }
                boolean head0 = req.method().equals("HEAD");
                out.write((head + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                if (!head0) {
                    out.write(body);
                }
                out.flush();
                if (req.close()) {
                    return;
                }
            }
        } catch (IOException e) {
            // the edge closed the connection: nothing to do
        } finally {
            open.remove(c);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] page() {
        StringBuilder b = new StringBuilder("<!doctype html><html><head><title>Warm-up</title>"
                + "<link rel=stylesheet href=/static/site.css></head><body>");
        for (int i = 0; i < 40; i++) {
            b.append("<p>A paragraph of a member's page, number ").append(i).append(".</p>\n");
        }
        return b.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
