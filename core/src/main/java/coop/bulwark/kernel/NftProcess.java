package coop.bulwark.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Nft} as a child process: {@code nft} from the PATH, else {@code /usr/sbin/nft} (a service's PATH may lack
 * sbin). Each run is bounded by a timeout, after which the child is killed. Blocking: call it off the event loops.
 */
public final class NftProcess implements Nft {
    private static final long TIMEOUT_SECONDS = 10;

    private final List<String> command;
    private final String binary;

    /** @param command the command that runs nft, e.g. {@code [/usr/sbin/nft]} or {@code [ip, netns, exec, NS, nft]} */
    public NftProcess(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command: empty");
        }
        this.command = List.copyOf(command);
        this.binary = String.join(" ", command);
    }

    /** The nft found on this machine (the system property {@code bulwark.nft} names another, for tests). */
    public static NftProcess locate() {
        String configured = System.getProperty("bulwark.nft");
        if (configured != null && !configured.isBlank()) {
            return new NftProcess(List.of(configured));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nft"))) {
                    return new NftProcess(List.of(Path.of(dir, "nft").toString()));
                }
            }
        }
        return new NftProcess(List.of("/usr/sbin/nft"));
    }

    /** The command, as a log line shows it. */
    public String binary() {
        return binary;
    }

    @Override
    public NftResult run(List<String> args, String stdin) {
        List<String> full = new ArrayList<>(command);
        full.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(full).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new NftResult(-1, "cannot run " + binary + ": " + e.getMessage());
        }
        try {
            // Read the output on its own thread so a hung nft is still bounded by the timeout below.
            CompletableFuture<String> out = new CompletableFuture<>();
            Thread.ofVirtual().name("nft-output").start(() -> {
                try (InputStream o = p.getInputStream()) {
                    out.complete(new String(o.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    out.complete("(output unreadable: " + e.getMessage() + ")");
                }
            });
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // nft exited early (bad arguments): its output says why.
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new NftResult(-1, binary + " timed out after " + TIMEOUT_SECONDS + " s");
            }
            return new NftResult(p.exitValue(), out.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            return new NftResult(-1, binary + ": output not read: " + e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new NftResult(-1, binary + ": interrupted");
        }
    }
}
