package coop.bulwark.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Reads the version Maven wrote into {@code coop/bulwark/version.properties} at build time. */
public final class BulwarkVersion implements IVersionProvider {

    /** The project version, or {@code "unknown"} when run from an unfiltered class path. */
    public static String current() {
        try (InputStream in = BulwarkVersion.class.getResourceAsStream("/coop/bulwark/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"bulwark " + current() + " (Java " + Runtime.version() + ")"};
    }
}
