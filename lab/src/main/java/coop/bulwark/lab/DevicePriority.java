package coop.bulwark.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs what stands for the people's own devices in the lab (the challenge solvers, the Chromium readers) at a lower CPU
 * priority ({@link #NICE}) than the clients that time requests, which share one core with them.
 *
 * <p>A browser run as root raises some of its own threads' priority (Chromium sets its browser and compositor threads
 * to nice -8): with those, the Chromium readers' page scripts outranked the lab's clients and their proofs of work
 * showed in the other sites' p99 as 200-600 ms seconds. A child process is therefore started without the capability
 * to raise a priority (util-linux {@code setpriv}, where present), then at {@link #NICE}.
 */
final class DevicePriority {
    /** The nice value of the devices: below the measuring clients (0), above nothing the lab runs. */
    static final int NICE = 10;

    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    private DevicePriority() {}

    /** {@code command} prefixed to run at {@link #NICE}, unable to raise its own or its children's priority. */
    static List<String> lowered(List<String> command) {
        List<String> c = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            c.addAll(List.of(SETPRIV.toString(), "--bounding-set", "-sys_nice"));
        }
        c.addAll(List.of("nice", "-n", Integer.toString(NICE)));
        c.addAll(command);
        return c;
    }

    /**
     * Lowers the calling thread to {@link #NICE} where the platform allows (Linux: {@code renice} of its thread id,
     * which {@code /proc/thread-self} names); elsewhere the thread keeps its priority.
     */
    static void lowerThisThread() {
        try {
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self"))
                    .getFileName()
                    .toString();
            new ProcessBuilder("renice", "-n", Integer.toString(NICE), "-p", tid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
        } catch (IOException | UnsupportedOperationException e) {
            // no /proc or no renice: the thread keeps its priority
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The nice value of the calling thread (Linux); null where it cannot be read. */
    static Integer niceOfThisThread() {
        try {
            return (int) ProcStat.read(Path.of("/proc/thread-self/stat")).field(19); // nice
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
