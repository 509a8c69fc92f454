package coop.bulwark.site;

import java.time.Duration;
import java.util.Optional;

/** Binds {@code kernel:} into {@link KernelConfig}; every problem is reported with its file, line and key. */
final class KernelBinder {
    private KernelBinder() {}

    static KernelConfig bind(ConfigSection kernel) {
        ConfigSection n = kernel.section("nftables");
        KernelConfig.Nftables d = KernelConfig.Nftables.DEFAULTS;
        boolean enabled = n.flag("enabled", d.enabled());
        String table = n.text("table").orElse(d.table());
        if (!KernelConfig.Nftables.validName(table)) {
            n.problems()
                    .invalid(
                            n.node("table").orElseThrow(),
                            n.path("table"),
                            "a table name: a letter, then letters, digits, _ or - (at most 64), like bulwark");
            table = d.table();
        }
        KernelConfig.Hook hook = d.hook();
        Optional<String> hookText = n.text("hook");
        if (hookText.isPresent()) {
            hook = switch (hookText.get()) {
                case "prerouting" -> KernelConfig.Hook.PREROUTING;
                case "ingress" -> KernelConfig.Hook.INGRESS;
                default -> {
                    n.problems().invalid(n.node("hook").orElseThrow(), n.path("hook"), "prerouting or ingress");
                    yield d.hook();
                }
            };
        }
        Optional<String> iface = n.text("interface");
        if (iface.isPresent()
                && (!iface.get().matches("[A-Za-z0-9_.:@-]{1,15}")
                        || iface.get().startsWith("."))) {
            n.problems().invalid(n.node("interface").orElseThrow(), n.path("interface"), "an interface name like eth0");
            iface = Optional.empty();
        } else if (hook == KernelConfig.Hook.INGRESS && iface.isEmpty()) {
            n.missing("interface", "the interface whose ingress drops banned sources, like eth0 (hook: ingress)");
            hook = KernelConfig.Hook.PREROUTING;
        } else if (hook == KernelConfig.Hook.PREROUTING && iface.isPresent()) {
            // A prerouting chain covers every interface: an interface here is a misunderstanding worth naming.
            n.problems()
                    .invalid(
                            n.node("interface").orElseThrow(),
                            n.path("interface"),
                            "no interface with hook: prerouting");
            iface = Optional.empty();
        }
        if (hook == KernelConfig.Hook.INGRESS && iface.isEmpty()) {
            hook = KernelConfig.Hook.PREROUTING; // reported above; the file is refused anyway
        }
        Duration minBan = n.duration("min_ban", d.minBan(), true);
        boolean keep = n.flag("keep_on_exit", d.keepOnExit());
        n.finish();
        kernel.finish();
        return new KernelConfig(new KernelConfig.Nftables(enabled, table, hook, iface, minBan, keep));
    }
}
