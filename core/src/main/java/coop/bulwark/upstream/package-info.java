/**
 * Telling the upstream what to drop when the uplink itself is full: FlowSpec rules toward an attack's target
 * addresses, then blackholes (RTBH), decided by {@link coop.bulwark.upstream.UpstreamDesk} on each detection tick and
 * spoken to ExaBGP as text commands ({@link coop.bulwark.upstream.ExabgpCommands}) by {@code bulwark exabgp-api}.
 *
 * <p>Depends on {@code site} (config), {@code detect} (attacks, the uplink state) and {@code protect} (prefix text).
 * Nothing here talks to the network: the edge publishes its desired set through the admin API, and the ExaBGP helper
 * process follows it.
 */
package coop.bulwark.upstream;
