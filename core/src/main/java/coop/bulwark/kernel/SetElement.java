package coop.bulwark.kernel;

import coop.bulwark.site.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One element of a ban set: an address or network and when the kernel drops it from the set.
 *
 * @param subject the address ({@code /32}, {@code /128}) or network
 * @param expiresAt when it leaves the set, or null for an element without timeout
 */
public record SetElement(Cidr subject, Instant expiresAt) {
    public SetElement {
        Objects.requireNonNull(subject, "subject");
    }

    public boolean v4() {
        return subject.network().length == 4;
    }

    public boolean permanent() {
        return expiresAt == null;
    }

    /** Whether it has left the set by {@code at}. */
    public boolean expiredBy(Instant at) {
        return expiresAt != null && !expiresAt.isAfter(at);
    }

    /** The element as nft writes it in a set expression: {@code 198.51.100.0/24 timeout 299500ms}. */
    String nftText(Instant now) {
        String s = address();
        if (expiresAt != null) {
            long ms = Math.max(1, Duration.between(now, expiresAt).toMillis());
            s += " timeout " + ms + "ms";
        }
        return s;
    }

    /** The element without its timeout, as a delete names it. */
    String nftKey() {
        return address();
    }

    private String address() {
        try {
            String a = InetAddress.getByAddress(subject.network()).getHostAddress();
            int full = subject.network().length * 8;
            return subject.prefixLength() == full ? a : a + "/" + subject.prefixLength();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
