package coop.bulwark.lab;

/**
 * Which of a scenario's clients one lab process runs against an external edge ({@code --clients}). A measurement that
 * must not measure its own load generator runs the people and the attack in two processes started for the same
 * instant ({@code --start-at}): the people (the measuring side) at a higher priority than the bots, as
 * {@code bench/flood-cost.sh} does.
 */
enum ClientSide {
    /** People and attack in this process (the default). */
    ALL,
    /** Only the legitimate clients: people, no-JavaScript readers, Chromium readers, feed readers, crawlers. */
    PEOPLE,
    /** Only the attack's clients. */
    ATTACK;

    boolean people() {
        return this != ATTACK;
    }

    boolean attack() {
        return this != PEOPLE;
    }
}
