package coop.bulwark.cli;

import picocli.CommandLine.Command;

/** The top-level {@code bulwark} command: only groups the subcommands. */
@Command(
        name = "bulwark",
        mixinStandardHelpOptions = true,
        versionProvider = BulwarkVersion.class,
        description = "DDoS-resilient HTTP(S) edge for community hosting providers.",
        subcommands = {
            ServeCommand.class,
            CheckConfigCommand.class,
            LabCommand.class,
            StatusCommand.class,
            SitesCommand.class,
            AttacksCommand.class,
            ReportCommand.class,
            BansCommand.class,
            BanCommand.class,
            UnbanCommand.class,
            UnderAttackCommand.class,
            ReloadCommand.class
        })
final class BulwarkCommand {}
