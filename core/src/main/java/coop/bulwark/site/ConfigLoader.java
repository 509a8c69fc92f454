package coop.bulwark.site;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads and validates a Bulwark YAML config file into one immutable {@link EdgeConfig}.
 *
 * <p>Contract: either a complete, valid snapshot is returned, or a {@link ConfigException} lists <em>every</em>
 * problem found, each as {@code FILE:LINE:COLUMN: path.to.key: value (expected: ...)}. Nothing is half-loaded.
 * Relative paths in the file resolve against the file's directory. Certificate files are checked to exist and be
 * readable at load time, so a reload with a missing file is refused while the old snapshot keeps running.
 *
 * <p>Stateless and thread-safe; does blocking file I/O, so never call it on an event loop.
 */
/*
 * Design note. Three stages: YamlTreeReader turns text into a small positioned tree (Jackson's streaming parser;
 * no data binding, so no reflection and full control over messages); ConfigSection/SiteBinder bind the tree into
 * records, replacing each bad value by its default so binding continues and later problems are found too; only if
 * nothing was reported are the records assembled. See docs/config.md for the keys.
 */
public final class ConfigLoader {
    /** Default for {@code drain_timeout}: how long a graceful shutdown waits for in-flight requests. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    private ConfigLoader() {}

    /** Loads {@code file}, reporting every problem found, or returns a valid snapshot. */
    public static EdgeConfig load(Path file) throws ConfigException {
        ConfigProblems problems = new ConfigProblems(file);
        String text = null;
        if (Files.isDirectory(file)) {
            problems.add(0, 0, "cannot read config file: it is a directory (expected: a YAML file)");
        } else {
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                problems.add(0, 0, "cannot read config file: no such file");
            } catch (AccessDeniedException e) {
                problems.add(0, 0, "cannot read config file: permission denied");
            } catch (CharacterCodingException e) {
                problems.add(0, 0, "cannot read config file: not UTF-8 text");
            } catch (IOException e) {
                problems.add(0, 0, "cannot read config file: " + e.getMessage());
            }
        }
        if (text == null) {
            throw problems.toException();
        }
        return parse(text, file);
    }

    /**
     * Parses {@code yamlText} as if it were the file {@code nameForMessages}: problems name that file, and relative
     * paths resolve against its directory.
     */
    public static EdgeConfig parse(String yamlText, Path nameForMessages) throws ConfigException {
        ConfigProblems problems = new ConfigProblems(nameForMessages);
        Optional<YamlNode> root = YamlTreeReader.read(yamlText, problems);
        if (root.isEmpty()) {
            throw problems.toException();
        }
        if (!(root.get() instanceof YamlNode.Mapping)) {
            problems.invalid(root.get(), "(file)", "a YAML mapping with at least listen and sites");
            throw problems.toException();
        }
        Path parent = nameForMessages.toAbsolutePath().getParent();
        Path baseDir = parent != null ? parent : Path.of("").toAbsolutePath();
        ConfigSection top = ConfigSection.of(root.get(), "", problems, baseDir);

        Optional<Listen> listen = listen(top);
        List<Cidr> trustedProxies = trustedProxies(top);
        boolean proxyProtocol = top.flag("proxy_protocol", false);
        Duration drainTimeout = top.duration("drain_timeout", DEFAULT_DRAIN_TIMEOUT, true);
        ConnectionLimits connections = connections(top.section("connections"));
        Http2Limits http2 = http2(top.section("http2"));
        OriginPoolConfig originPool = originPool(top.section("origin_pool"));
        AccessLogConfig accessLog = accessLog(top.section("access_log"));
        AdminConfig admin = admin(top.section("admin"));
        DetectionSettings detection = DetectionBinder.bind(top, baseDir);
        SiteLimits siteDefaults =
                SiteBinder.limits(top.section("limits"), SiteLimits.DEFAULTS, connections.maxUriBytes());
        Map<ProtectionState, StatePolicy> policies =
                ProtectionBinder.policies(top.section("policy"), SiteProtection.DEFAULTS.policies());
        SiteBinder siteBinder = new SiteBinder(problems, siteDefaults, connections.maxUriBytes(), policies);
        List<SiteConfig> sites = siteBinder.bind(top);
        // After the sites: origin_capacity_overrides may only name origins the sites use.
        ProtectionConfig protection = ProtectionBinder.edge(top.section("protection"), siteBinder.origins());
        ChallengeConfig challenge = challenge(top);
        KernelConfig kernel = KernelBinder.bind(top.section("kernel"));
        UpstreamConfig upstream = UpstreamBinder.bind(top.section("upstream"));
        Optional<ClusterConfig> cluster = ClusterBinder.bind(top);
        if (listen.flatMap(Listen::https).isPresent() && !siteBinder.anyTls()) {
            YamlNode https = top.section("listen").node("https").orElseThrow();
            problems.invalid(https, "listen.https", "at least one site with tls, or no https listener");
        }
        top.finish();

        if (!problems.isEmpty() || listen.isEmpty()) {
            throw problems.toException();
        }
        try {
            return EdgeConfig.builder()
                    .source(nameForMessages)
                    .listen(listen.get())
                    .trustedProxies(trustedProxies)
                    .proxyProtocol(proxyProtocol)
                    .connections(connections)
                    .http2(http2)
                    .originPool(originPool)
                    .accessLog(accessLog)
                    .drainTimeout(drainTimeout)
                    .protection(protection)
                    .admin(admin)
                    .detection(detection)
                    .sites(sites)
                    .challenge(challenge)
                    .kernel(kernel)
                    .upstream(upstream)
                    .cluster(cluster)
                    .build();
        } catch (IllegalArgumentException e) {
            // The binder checks everything the records check; this is a safety net, never a half-load.
            problems.add(1, 1, e.getMessage());
            throw problems.toException();
        }
    }

    /** The edge-wide {@code challenge:} section (each site's {@code challenge:} key is bound with the site). */
    private static ChallengeConfig challenge(ConfigSection top) {
        return ChallengeBinder.edge(top.section("challenge"));
    }

    private static Optional<Listen> listen(ConfigSection top) {
        if (top.node("listen").isEmpty()) {
            top.missing("listen", "a mapping with http: and/or https: host:port");
            return Optional.empty();
        }
        ConfigSection l = top.section("listen");
        boolean declared = l.node("http").isPresent() || l.node("https").isPresent();
        Optional<HostPort> http = l.hostPort("http");
        Optional<HostPort> https = l.hostPort("https");
        int eventLoops = l.count("event_loops", 0, 0, 4096);
        SocketTransport transport = l.choice("transport", SocketTransport.configNames())
                .map(SocketTransport::fromConfig)
                .orElse(SocketTransport.AUTO);
        l.finish();
        if (!declared) {
            l.problems().add(l.line(), l.column(), "listen: no listener (expected: http: and/or https: host:port)");
        }
        if (http.isEmpty() && https.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Listen(http, https, eventLoops, transport));
    }

    private static List<Cidr> trustedProxies(ConfigSection top) {
        List<Cidr> result = new ArrayList<>();
        List<YamlNode> items = top.list("trusted_proxies");
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            String path = "trusted_proxies[" + i + "]";
            if (!(item instanceof YamlNode.Scalar s)) {
                top.problems().invalid(item, path, "an IP address or network like 10.0.0.0/8");
                continue;
            }
            try {
                result.add(Cidr.parse(s.text()));
            } catch (IllegalArgumentException e) {
                top.problems().add(item.line(), item.column(), path + ": " + e.getMessage());
            }
        }
        return result;
    }

    private static ConnectionLimits connections(ConfigSection c) {
        ConnectionLimits d = ConnectionLimits.DEFAULTS;
        ConnectionLimits result = new ConnectionLimits(
                (int) c.bytes("max_header_bytes", d.maxHeaderBytes(), 1, Integer.MAX_VALUE),
                (int) c.bytes("max_uri_bytes", d.maxUriBytes(), 1, Integer.MAX_VALUE),
                c.duration("header_timeout", d.headerTimeout(), false),
                c.duration("idle_timeout", d.idleTimeout(), false),
                c.count("max_requests_per_connection", d.maxRequestsPerConnection(), 1, Integer.MAX_VALUE),
                c.count("max_connections", d.maxConnections(), 1, Integer.MAX_VALUE),
                c.count("max_connections_per_ip", d.maxConnectionsPerIp(), 1, Integer.MAX_VALUE));
        c.finish();
        return result;
    }

    private static Http2Limits http2(ConfigSection h) {
        Http2Limits d = Http2Limits.DEFAULTS;
        Http2Limits result = new Http2Limits(
                h.count("max_concurrent_streams", d.maxConcurrentStreams(), 1, Integer.MAX_VALUE),
                h.count("max_resets_per_second", d.maxResetsPerSecond(), 1, Integer.MAX_VALUE));
        h.finish();
        return result;
    }

    private static OriginPoolConfig originPool(ConfigSection o) {
        OriginPoolConfig d = OriginPoolConfig.DEFAULTS;
        int maxIdle = o.count("max_idle_per_origin", d.maxIdlePerOrigin(), 1, Integer.MAX_VALUE);
        Duration idle = o.duration("idle_timeout", d.idleTimeout(), false);
        ConfigSection h = o.section("health_check");
        Duration interval = h.duration("interval", d.healthInterval(), false);
        Duration timeout = h.duration("timeout", d.healthTimeout(), false);
        Optional<String> path = h.text("path");
        if (path.isPresent() && !path.get().startsWith("/")) {
            h.problems().invalid(h.node("path").orElseThrow(), h.path("path"), "a request path starting with /");
            path = d.healthPath();
        }
        int fail = h.count("fail_threshold", d.failThreshold(), 1, Integer.MAX_VALUE);
        int rise = h.count("rise_threshold", d.riseThreshold(), 1, Integer.MAX_VALUE);
        h.finish();
        o.finish();
        return new OriginPoolConfig(maxIdle, idle, interval, timeout, path.or(d::healthPath), fail, rise);
    }

    private static AccessLogConfig accessLog(ConfigSection a) {
        AccessLogConfig d = AccessLogConfig.DEFAULTS;
        boolean enabled = a.flag("enabled", d.enabled());
        Optional<Path> file = a.file("file").or(d::file);
        a.finish();
        return new AccessLogConfig(enabled, file);
    }

    private static AdminConfig admin(ConfigSection a) {
        AdminConfig d = AdminConfig.defaults(a.baseDir());
        boolean enabled = a.flag("enabled", d.enabled());
        HostPort listen = a.hostPort("listen").orElse(d.listen());
        Path tokenFile = a.file("token_file").orElse(d.tokenFile());
        boolean insecure = a.flag("allow_insecure_remote", d.allowInsecureRemote());
        a.finish();
        return new AdminConfig(enabled, listen, tokenFile, insecure);
    }
}
