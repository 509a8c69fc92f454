package coop.bulwark.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** The top-level {@code bulwark} command: only groups the subcommands. */
@Command(
        name = "bulwark",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT, // --help and --version on every subcommand too
        versionProvider = BulwarkVersion.class,
        description = "DDoS-resilient HTTP(S) edge for community hosting providers.",
        subcommands = {
            ServeCommand.class,
            CheckConfigCommand.class,
            LabNoticeCommand.class,
            StatusCommand.class,
            SitesCommand.class,
            AttacksCommand.class,
            ReportCommand.class,
            BansCommand.class,
            BanCommand.class,
            UnbanCommand.class,
            UnderAttackCommand.class,
            ClusterCommand.class,
            ReloadCommand.class,
            UpstreamCommand.class,
            ExabgpApiCommand.class
        })
final class BulwarkCommand {}
