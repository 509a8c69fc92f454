package coop.bulwark.edge;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 origin on loopback that records every request it receives, as the edge framed it: a strict
 * little parser (CRLF lines, one of Content-Length or chunked, no obs-fold) that records the head and the exact body,
 * and answers each complete request {@code 200 ok}. What it cannot parse, or a connection that closes mid-request,
 * is recorded too: a smuggling test asserts on exactly what reached the origin.
 */
final class RecordingOrigin implements AutoCloseable {
    /** One request as received: its request line, header lines (as sent), body bytes, or what went wrong. */
    record Received(String requestLine, List<String> headers, byte[] body, String problem) {
        String header(String name) {
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon > 0 && h.substring(0, colon).equalsIgnoreCase(name)) {
                    return h.substring(colon + 1).trim();
                }
            }
            return null;
        }

        boolean complete() {
            return problem == null;
        }

        String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private final ServerSocket server;
    private final Thread acceptor;
    final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    /** Request heads read so far (a head whose body is still coming is counted here, not yet in {@link #received}). */
    private final AtomicInteger headsRead = new AtomicInteger();

    RecordingOrigin() throws IOException {
        server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("recording-origin").start(this::acceptLoop);
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The requests received so far, in order of arrival. */
    List<Received> requests() {
        return new ArrayList<>(received);
    }

    /** The complete requests received so far. */
    List<Received> complete() {
        return requests().stream().filter(Received::complete).toList();
    }

    /** Whether a request's head has arrived and its body not yet ended. */
    boolean hasOpenRequest() {
        return headsRead.get() > received.size();
    }

    void clear() {
        received.clear();
        headsRead.set(0);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String line;
                try {
                    line = readLine(in, true);
                } catch (EOFException e) {
                    return; // closed between requests: nothing to record
                }
                List<String> headers = new ArrayList<>();
                byte[] body;
                try {
                    for (String h; !(h = readLine(in, false)).isEmpty(); ) {
                        if (h.charAt(0) == ' ' || h.charAt(0) == '\t' || h.indexOf(':') <= 0) {
                            throw new IOException("malformed header line: " + h);
                        }
                        headers.add(h);
                    }
                    headsRead.incrementAndGet();
                    body = readBody(in, headers);
                } catch (IOException e) {
                    received.add(new Received(line, headers, new byte[0], e.toString()));
                    return;
                }
                received.add(new Received(line, List.copyOf(headers), body, null));
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // the edge closed or reset: already recorded where it mattered
        }
    }

    private static byte[] readBody(InputStream in, List<String> headers) throws IOException {
        String cl = null;
        String te = null;
        for (String h : headers) {
            String name = h.substring(0, h.indexOf(':')).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(h.indexOf(':') + 1).trim();
            if (name.equals("content-length")) {
                if (cl != null) {
                    throw new IOException("two Content-Length fields");
                }
                cl = value;
            } else if (name.equals("transfer-encoding")) {
                if (te != null) {
                    throw new IOException("two Transfer-Encoding fields");
                }
                te = value;
            }
        }
        if (cl != null && te != null) {
            throw new IOException("Content-Length and Transfer-Encoding");
        }
        if (te != null) {
            if (!te.equals("chunked")) {
                throw new IOException("transfer coding: " + te);
            }
            var body = new ByteArrayOutputStream();
            while (true) {
                String size = readLine(in, false);
                if (!size.matches("[0-9a-fA-F]{1,8}")) {
                    throw new IOException("chunk size: " + size);
                }
                int n = Integer.parseInt(size, 16);
                if (n == 0) {
                    for (String t; !(t = readLine(in, false)).isEmpty(); ) {
                        // trailers: the edge may pass allowed ones
                    }
                    return body.toByteArray();
                }
                body.write(readN(in, n));
                if (!readLine(in, false).isEmpty()) {
                    throw new IOException("chunk not followed by CRLF");
                }
            }
        }
        if (cl != null) {
            if (!cl.matches("[0-9]{1,9}")) {
                throw new IOException("Content-Length: " + cl);
            }
            return readN(in, Integer.parseInt(cl));
        }
        return new byte[0];
    }

    private static byte[] readN(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("body cut after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** One CRLF-terminated line; a bare LF or CR is a protocol error, end of stream an EOFException. */
    private static String readLine(InputStream in, boolean first) throws IOException {
        var b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException(first && b.isEmpty() ? "closed" : "line cut: " + b);
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("bare CR after: " + b);
                }
                return b.toString();
            }
            if (c == '\n') {
                throw new IOException("bare LF after: " + b);
            }
            if (b.length() > 65_536) {
                throw new IOException("line too long");
            }
            b.append((char) c);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
    }
}
