package coop.bulwark.kernel;

import java.util.List;

/** Runs the {@code nft} command. An interface so the export's logic is testable without a kernel. */
public interface Nft {
    /**
     * Runs {@code nft ARGS}, with {@code stdin} as its standard input ({@code -f -} batches) or none when null.
     *
     * @return its exit code and output; never throws for a failing command
     */
    NftResult run(List<String> args, String stdin);
}
