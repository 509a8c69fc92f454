package coop.bulwark.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Raw-socket HTTP for tests that need malformed, slow or pipelined input. */
final class RawHttp implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final InputStream in;

    RawHttp(InetSocketAddress addr) throws IOException {
        socket = new Socket(addr.getAddress(), addr.getPort());
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    void send(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads until the server closes (or the timeout): the whole text. */
    String readAll() throws IOException {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            return "TIMEOUT";
        }
    }

    /** Reads one response head plus a Content-Length body. */
    String readResponse() throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        String h = head.toString();
        int cl = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                cl = Integer.parseInt(line.substring(15).trim());
            }
        }
        return h + new String(in.readNBytes(cl), StandardCharsets.ISO_8859_1);
    }

    /** Whether the server closed the connection within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain whatever was sent before the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    static String exchange(InetSocketAddress addr, String request) throws IOException {
        try (RawHttp r = new RawHttp(addr)) {
            r.send(request);
            return r.readAll();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
