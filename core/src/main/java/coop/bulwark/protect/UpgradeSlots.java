package coop.bulwark.protect;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A site's upgraded (WebSocket) connections open now, under the site's cap ({@code limits.max_websockets}): a
 * long-lived connection holds its slot from the decision to let it upgrade until it closes, whichever event loop it is
 * on. Kept by the {@link SiteGuard}, so open connections still count after a reload. Lock-free.
 */
public final class UpgradeSlots {
    private final AtomicInteger open = new AtomicInteger();

    /** Takes a slot if fewer than {@code max} are held; false (nothing taken) at the cap. */
    public boolean tryAcquire(int max) {
        for (int n = open.get(); n < max; n = open.get()) {
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives back a slot taken with {@link #tryAcquire}; exactly once per slot. */
    public void release() {
        open.decrementAndGet();
    }

    /** Slots held now. */
    public int open() {
        return open.get();
    }
}
