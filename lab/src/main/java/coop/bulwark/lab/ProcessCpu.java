package coop.bulwark.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** CPU time of processes as Linux's {@code /proc} counts it: what an edge under test cost, read from outside. */
final class ProcessCpu {
    /** Linux's USER_HZ: the unit of utime and stime in /proc/PID/stat. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {}

    /** User and system CPU seconds of {@code pid}; NaN when /proc cannot tell (gone, not Linux). */
    static double seconds(long pid) {
        try {
            ProcStat stat = ProcStat.read(Path.of("/proc/" + pid + "/stat"));
            return (stat.field(14) + stat.field(15)) / TICKS_PER_SECOND; // utime and stime
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The sum over {@code pids} and every process below them (nginx's and HAProxy's workers). */
    static double seconds(List<Long> pids) {
        Set<Long> all = new HashSet<>();
        for (long pid : pids) {
            all.add(pid);
            ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
        }
        double sum = 0;
        for (long pid : all) {
            double s = seconds(pid);
            sum += Double.isNaN(s) ? 0 : s;
        }
        return sum;
    }
}
