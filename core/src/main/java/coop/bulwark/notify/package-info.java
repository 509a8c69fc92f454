/**
 * Notifications: {@link coop.bulwark.notify.Webhooks} POSTs detection events to configured receivers (signed,
 * retried, never blocking the tick), and {@link coop.bulwark.notify.EventLog} writes one JSON line per event on the
 * {@code bulwark.events} logger. Bodies and the signature scheme: docs/reports.md.
 */
package coop.bulwark.notify;
