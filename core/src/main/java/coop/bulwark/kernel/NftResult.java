package coop.bulwark.kernel;

import java.util.Objects;

/**
 * What one {@code nft} run gave.
 *
 * @param exitCode the exit code, or -1 when nft could not be started or timed out
 * @param output standard output and error together (nft prints errors with the failing batch line)
 */
public record NftResult(int exitCode, String output) {
    public NftResult {
        Objects.requireNonNull(output, "output");
    }

    public boolean ok() {
        return exitCode == 0;
    }

    /** The first line of the output, for a log line or the status API. */
    public String firstLine() {
        String t = output.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
