package coop.bulwark.site;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The JSON access log: one line per request.
 *
 * @param enabled whether lines are written at all
 * @param file the file to append to; empty means standard output
 */
public record AccessLogConfig(boolean enabled, Optional<Path> file) {
    public static final AccessLogConfig DEFAULTS = new AccessLogConfig(true, Optional.empty());
}
