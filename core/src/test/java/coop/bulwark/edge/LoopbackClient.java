package coop.bulwark.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client for protection tests: each connection is bound to a chosen loopback source address
 * ({@code 127.x.y.z}), so the edge's per-address and per-prefix logic sees distinct clients. Not thread-safe; one per
 * thread.
 */
final class LoopbackClient implements AutoCloseable {
    /** A parsed response; header names lower-case, body decoded as ISO-8859-1. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    /** Connects to {@code edge} from {@code from}; the socket times out reads after 5 s. */
    LoopbackClient(InetSocketAddress edge, InetAddress from) throws IOException {
        socket = new Socket(edge.getAddress(), edge.getPort(), from, 0);
        socket.setSoTimeout(5000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** {@code 127.a.b.c}. */
    static InetAddress loopback(int a, int b, int c) {
        try {
            return InetAddress.getByAddress(new byte[] {127, (byte) a, (byte) b, (byte) c});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** One request on a fresh connection (closed after it). */
    static Response once(
            InetSocketAddress edge, InetAddress from, String method, String host, String path, String... headers)
            throws IOException {
        try (LoopbackClient c = new LoopbackClient(edge, from)) {
            return c.send(method, host, path, headers);
        }
    }

    /** One keep-alive request on this connection; {@code headers} are {@code "Name: value"} lines. */
    Response send(String method, String host, String path, String... headers) throws IOException {
        StringBuilder req = new StringBuilder()
                .append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(host)
                .append("\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        out.write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return read("HEAD".equals(method));
    }

    /** Writes raw request bytes (a whole request, body included) and reads the response. */
    Response exchange(String raw) throws IOException {
        sendOnly(raw);
        return read(raw.startsWith("HEAD "));
    }

    /** Writes raw request bytes without reading a response. */
    void sendOnly(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private Response read(boolean head) throws IOException {
        String line = readLine();
        if (line == null) {
            throw new IOException("closed before a response");
        }
        int status = Integer.parseInt(line.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h; (h = readLine()) != null && !h.isEmpty(); ) {
            int colon = h.indexOf(':');
            headers.merge(
                    h.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    h.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        String body;
        if (head) {
            body = "";
        } else if (headers.containsKey("content-length")) {
            body = new String(
                    in.readNBytes(Integer.parseInt(headers.get("content-length"))), StandardCharsets.ISO_8859_1);
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            StringBuilder b = new StringBuilder();
            for (int n; (n = Integer.parseInt(readLine().trim(), 16)) > 0; ) {
                b.append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
                readLine();
            }
            readLine();
            body = b.toString();
        } else {
            body = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        return new Response(status, headers, body);
    }

    private String readLine() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            b.append((char) c);
        }
        return b.isEmpty() ? null : b.toString();
    }

    /** Whether the edge closes this connection (EOF or reset) within the read timeout, having sent nothing. */
    boolean closedWithoutResponse() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
