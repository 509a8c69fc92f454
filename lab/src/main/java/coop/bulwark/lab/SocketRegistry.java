package coop.bulwark.lab;

import java.io.IOException;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every client socket a run opened and has not closed yet, so the run can close them all at its end: a client blocked
 * in a read then fails at once and its loop, seeing the run is over, stops. Thread-safe.
 */
public final class SocketRegistry {
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    void add(Socket s) throws IOException {
        open.add(s);
        if (closed) {
            open.remove(s);
            s.close();
            throw new IOException("run over");
        }
    }

    void remove(Socket s) {
        open.remove(s);
    }

    int size() {
        return open.size();
    }

    public void closeAll() {
        closed = true;
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        open.clear();
    }
}
