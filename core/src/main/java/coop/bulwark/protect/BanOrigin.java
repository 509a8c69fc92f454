package coop.bulwark.protect;

/** Who put a ban in place; shown by the admin API and used to decide what automatic steps may override. */
public enum BanOrigin {
    /** Listed in the config file; replaced as a set on every reload. */
    CONFIG,
    /** Added by an operator through the CLI or admin API. */
    MANUAL,
    /** Added by the mitigation ladder ({@link BanList#offend}); escalates for repeat offenders. */
    AUTOMATIC
}
