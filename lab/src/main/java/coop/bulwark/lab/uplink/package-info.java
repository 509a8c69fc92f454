/**
 * {@code bulwark lab --scenario uplink}: the cooperative's outage as it really happened, a full uplink, rebuilt in
 * network namespaces this lab makes ({@code inet} → {@code upstream} router → {@code edge}) with the real routing
 * tools (BIRD 2 as the upstream, ExaBGP beside Bulwark), and measured twice: with the edge alone, and with the edge
 * telling the upstream what to drop.
 */
package coop.bulwark.lab.uplink;
