package coop.bulwark.kernel;

import java.util.Objects;
import java.util.Optional;

/**
 * The kernel export as the status API and metrics show it.
 *
 * @param enabled whether {@code kernel.nftables.enabled} is on
 * @param active whether the table is in place and following the bans (false: bans are user space only)
 * @param table the table, as {@code inet bulwark}
 * @param hook {@code prerouting} or {@code ingress IFACE}
 * @param elements elements in the sets as last written or listed
 * @param drops packets dropped by the rule since the edge started (summed across table rebuilds)
 * @param syncFailures nft batches or listings that failed since start
 * @param skippedProtected bans kept out of the set because they touch a protected network
 * @param lastError the latest failure's first line, empty when none since the last success
 */
public record KernelStatus(
        boolean enabled,
        boolean active,
        String table,
        String hook,
        int elements,
        long drops,
        long syncFailures,
        int skippedProtected,
        Optional<String> lastError) {
    public static final KernelStatus OFF = new KernelStatus(false, false, "", "", 0, 0, 0, 0, Optional.empty());

    public KernelStatus {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(hook, "hook");
        Objects.requireNonNull(lastError, "lastError");
    }
}
