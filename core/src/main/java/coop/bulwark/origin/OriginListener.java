package coop.bulwark.origin;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Receives what an origin connection reads while it serves one exchange. Called on the connection's event loop; the
 * listener owns (and must release) every {@link HttpContent} it is given.
 */
public interface OriginListener {
    void onResponseHead(HttpResponse response);

    void onResponseContent(HttpContent content);

    /** The origin read something and then finished a read burst: a good time to flush to the client. */
    void onOriginReadComplete();

    /** The origin connection can take more writes again. */
    void onOriginWritable();

    /** The connection closed or failed before the exchange released it. */
    void onOriginFailure(Throwable cause);
}
