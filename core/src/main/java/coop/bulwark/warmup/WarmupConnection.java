package coop.bulwark.warmup;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One client connection of the warm-up to the edge, from a chosen loopback address (so per-address limits and bans
 * see distinct clients), sending requests one after another on it (keep-alive).
 *
 * <p>Not thread-safe: one per client thread.
 */
final class WarmupConnection implements AutoCloseable {
    /** What came back: the head and the body. */
    record Response(HttpHead head, byte[] body) {
        int status() {
            return head.status();
        }

        String field(String name) {
            return head.field(name);
        }
    }

    private static final int TIMEOUT_MS = 5_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private boolean ended;

    private WarmupConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = socket.getOutputStream();
    }

    static WarmupConnection open(InetAddress from, InetSocketAddress edge) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(TIMEOUT_MS);
            s.bind(new InetSocketAddress(from, 0));
            s.connect(edge, TIMEOUT_MS);
            return new WarmupConnection(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Sends {@code head} (a request line and fields, without the blank line) and {@code body}, reads the answer. */
    Response send(String head, byte[] body) throws IOException {
        write(head, body);
        return read(head.startsWith("HEAD "));
    }

    /**
     * Sends a request head without a body and without reading the answer: {@link #receive} reads it, or the caller
     * closes the connection at once and leaves.
     */
    void sendOnly(String head) throws IOException {
        write(head, null);
    }

    /** Reads the answer to a request sent with {@link #sendOnly}. */
    Response receive() throws IOException {
        return read(false);
    }

    private void write(String head, byte[] body) throws IOException {
        out.write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    /** Sends raw bytes (malformed requests), reads the answer. */
    Response sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return read(false);
    }

    private Response read(boolean toHead) throws IOException {
        HttpHead h = HttpHead.read(in);
        if (h == null) {
            throw new IOException("closed by the edge");
        }
        byte[] body = h.responseBody(in, toHead);
        if (h.close()) {
            ended = true;
        }
        return new Response(h, body);
    }

    /** Whether the edge said it closes the connection after its last answer. */
    boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
