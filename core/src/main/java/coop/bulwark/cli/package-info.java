/**
 * The {@code bulwark} command line (picocli): {@code serve}, {@code check-config}, and the operator commands
 * ({@code status}, {@code sites}, {@code bans}, {@code ban}, {@code unban}, {@code under-attack}, {@code reload},
 * {@code attacks}, {@code report}) that talk to a running edge's admin API. The outermost package: nothing imports it.
 */
package coop.bulwark.cli;
