/**
 * {@code bulwark lab}: reproduces a flood on this machine and scores the collateral damage — scenarios, the
 * shared-origin model, legitimate and attack traffic bound to distinct 127/8 addresses, runs without and with
 * Bulwark, and their JSON/HTML outcome. Nothing in the product imports it.
 */
package coop.bulwark.lab;
