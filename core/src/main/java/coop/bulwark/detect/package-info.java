/**
 * Attack detection, pure Java (no Netty), so it can be simulated and benchmarked alone: streaming per-site
 * accounting in memory bounded by the number of sites, long/short baselines, a per-site state machine and attack
 * attribution. Time is always passed in.
 *
 * <p><b>Per request</b>, on the event loop, once the response status is known: {@link
 * coop.bulwark.detect.TrafficRecorder#record} on that event loop's own recorder
 * ({@code accounting.recorder(eventLoopIndex)}), with the site index, the client's site-independent address and
 * /24-or-/48 keys, status, bytes, origin latency (or -1), whether it carried a valid challenge cookie, whether the
 * client is returning, and the method, path hash, query-entropy bucket and user-agent hash. Allocation-free, no
 * locks; about 90-160 ns (see {@code TrafficRecorderBenchmark}).
 *
 * <p><b>Per tick</b>, once a second on one scheduler thread (never an event loop, since a tick over 850 sites takes
 * about 1.5 ms): {@link coop.bulwark.detect.Detector#tick} with the current time. It harvests the accounting
 * ({@link coop.bulwark.detect.TrafficSecond}), steps every site's state machine and returns
 * {@link coop.bulwark.detect.DetectionEvent}s. The edge ({@code edge.DetectionLoop}) then brings every site's
 * protection state in line with its detector through {@code SiteGuard.detected(ProtectionState.fromKey(
 * state.policyKey()), reason, now)} ({@code recovering} maps to the {@code suspect} policy), which leaves alone a
 * site an operator has pinned; {@code AttackStarted/Updated/Ended} go to the event log, webhooks and
 * reports. {@link coop.bulwark.detect.Detector#globalSignals()} gives the edge-wide view: total rate against its
 * baseline, distinct sources, uplink utilisation ({@link coop.bulwark.detect.UplinkMeter}) and the origin
 * saturation the edge supplies.
 *
 * <p>Signals, thresholds and their defaults: {@link coop.bulwark.site.DetectionConfig}. Why a rate anomaly is
 * or is not called an attack: {@link coop.bulwark.detect.HostileSign}. Sketches and their error bounds:
 * {@link coop.bulwark.detect.HyperLogLog} (1.6% standard error, 4 KiB) and
 * {@link coop.bulwark.detect.SpaceSaving} (every key above N/k found, counts within N/k).
 *
 * <p>Known blind spots: time of day (baselines are EWMAs, not daily profiles); a viral spike of first-time,
 * uncookied visitors is indistinguishable from a plain distributed GET flood and gets challenged; a flood that
 * ramps up slower than the long window is learned as normal; a flood of plain, cacheable GETs from many returning,
 * cookied clients (a botnet that solved the challenge) stays {@code suspect}; a site flooded from the moment
 * detection starts learns the flood during warm-up.
 */
package coop.bulwark.detect;
