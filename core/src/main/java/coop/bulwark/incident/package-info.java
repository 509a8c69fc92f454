/**
 * Detection and incidents for a running edge, off the event loops: {@link coop.bulwark.incident.DetectionLoop}
 * (its own thread, once a second) harvests the per-loop traffic recorders, steps every site's state machine, applies
 * the states to the sites' guards (never over an operator's pin) and hands each tick to
 * {@link coop.bulwark.incident.IncidentDesk} (event log, incident reports, webhooks) and to listeners (the lab).
 *
 * <p>No Netty. The request path reaches detection only through {@code detect.RecorderSource}. May import:
 * {@code proxy} (the snapshot's sites), {@code origin}, {@code detect}, {@code report}, {@code notify},
 * {@code protect}, {@code metrics}, {@code site}. Imported by: {@code edge}, {@code admin}.
 */
package coop.bulwark.incident;
