package coop.bulwark.lab;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 client connection from a given source address (in 127.0.0.0/8; the uplink lab's in its namespace), for the lab's simulated clients: blocking
 * I/O meant for virtual threads, one request at a time, keep-alive, the whole response read (Content-Length or
 * chunked). Not thread-safe: one client owns it.
 */
public final class LabConnection implements AutoCloseable {
    /**
     * A response: its status, the cookie it set (or null), whether the server will close the connection, its
     * {@code Location} (or null), and its body when it is a page of the edge's challenge (a 503 HTML page; else null).
     */
    public record Response(int status, String setCookie, boolean close, String location, String body) {}

    /** Largest challenge page kept (the real one is below 20 KiB). */
    private static final int MAX_PAGE_BYTES = 64 * 1024;

    private final Socket socket;
    private final SocketRegistry registry;
    private final OutputStream out;
    private final InputStream in;
    private final StringBuilder line = new StringBuilder(128);

    private LabConnection(Socket socket, SocketRegistry registry) throws IOException {
        this.socket = socket;
        this.registry = registry;
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    /** Opens a connection to {@code edge} from {@code source}; connecting and each read wait at most {@code timeoutMillis}. */
    public static LabConnection open(InetSocketAddress edge, byte[] source, int timeoutMillis, SocketRegistry registry)
            throws IOException {
        Socket s = new Socket();
        registry.add(s);
        try {
            s.setTcpNoDelay(true);
            s.bind(new InetSocketAddress(AddressPlan.inet(source), 0));
            s.connect(edge, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            return new LabConnection(s, registry);
        } catch (IOException | RuntimeException e) {
            registry.remove(s);
            s.close();
            throw e;
        }
    }

    Socket socket() {
        return socket;
    }

    /** Sends raw bytes (for slowloris). */
    void sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Sends {@code GET target} for {@code host} with the extra header lines (each ending in CRLF) and reads the response. */
    public Response get(String host, String target, String userAgent, String extraHeaders) throws IOException {
        return get(host, target, userAgent, "*/*", extraHeaders);
    }

    /** {@link #get(String, String, String, String)} with this {@code Accept}. */
    Response get(String host, String target, String userAgent, String accept, String extraHeaders) throws IOException {
        sendRaw("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + userAgent + "\r\nAccept: "
                + accept + "\r\n" + extraHeaders + "\r\n");
        return read();
    }

    /** Sends {@code POST target} with a form body and reads the response. */
    Response postForm(String host, String target, String userAgent, String extraHeaders, String form)
            throws IOException {
        byte[] body = form.getBytes(StandardCharsets.ISO_8859_1);
        sendRaw("POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + userAgent
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length + "\r\n"
                + extraHeaders + "\r\n" + form);
        return read();
    }

    private Response read() throws IOException {
        String status = readLine();
        if (status == null || status.length() < 12 || !status.startsWith("HTTP/1.")) {
            throw new IOException("bad status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = status.startsWith("HTTP/1.0");
        String cookie = null;
        String location = null;
        boolean html = false;
        for (String h = readLine(); h != null && !h.isEmpty(); h = readLine()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                chunked = value.toLowerCase().contains("chunked");
            } else if (name.equalsIgnoreCase("connection")) {
                close = value.toLowerCase().contains("close");
            } else if (name.equalsIgnoreCase("location")) {
                location = value;
            } else if (name.equalsIgnoreCase("content-type")) {
                html = value.startsWith("text/html");
            } else if (name.equalsIgnoreCase("set-cookie")) {
                int semi = value.indexOf(';');
                cookie = semi < 0 ? value : value.substring(0, semi);
            }
        }
        String body = null;
        boolean keep = code == 503 && html && length > 0 && length <= MAX_PAGE_BYTES;
        if (keep) {
            body = new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
            if (body.length() == 0) {
                throw new IOException("closed in body");
            }
        } else if (chunked) {
            for (; ; ) {
                String size = readLine();
                if (size == null) {
                    throw new IOException("closed in chunked body");
                }
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    for (String t = readLine(); t != null && !t.isEmpty(); t = readLine()) {
                        // trailers are ignored
                    }
                    break;
                }
                skip(n);
                readLine();
            }
        } else if (length > 0) {
            skip(length);
        } else if (length < 0 && code != 204 && code != 304) {
            // no length: the body runs to the end of the connection
            while (in.read() >= 0) {
                // drain
            }
            close = true;
        }
        return new Response(code, cookie, close, location, body);
    }

    private void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long k = in.skip(left);
            if (k <= 0) {
                if (in.read() < 0) {
                    throw new IOException("closed in body");
                }
                k = 1;
            }
            left -= k;
        }
    }

    private String readLine() throws IOException {
        line.setLength(0);
        for (; ; ) {
            int c = in.read();
            if (c < 0) {
                if (line.isEmpty()) {
                    throw new IOException("closed by peer");
                }
                return line.toString();
            }
            if (c == '\n') {
                int n = line.length();
                if (n > 0 && line.charAt(n - 1) == '\r') {
                    line.setLength(n - 1);
                }
                return line.toString();
            }
            if (line.length() > 16 * 1024) {
                throw new IOException("header line too long");
            }
            line.append((char) c);
        }
    }

    @Override
    public void close() {
        registry.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
