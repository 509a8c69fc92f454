/**
 * What Bulwark pushes into the kernel: the ban list mirrored into an nftables set, so banned sources are dropped
 * before a socket exists ({@link coop.bulwark.kernel.NftablesExport}).
 *
 * <p>Depends on {@code site} (config) and {@code protect} (the ban list). Runs {@code nft} on its own thread, never on
 * an event loop; every failure leaves the edge serving with user-space bans.
 */
package coop.bulwark.kernel;
