/**
 * The admin server on its own listener (the JDK's HTTP server, off the edge's event loops, so a flood cannot lock
 * operators out): bearer-token auth with failure throttling, the JSON API (status, sites, bans, states, attacks and
 * their reports, reload), Prometheus {@code /metrics}, and the dashboard ({@link coop.bulwark.admin.DashboardAssets}).
 *
 * <p>Reads the running edge; nothing in the server imports it but the CLI.
 */
package coop.bulwark.admin;
