package coop.bulwark.challenge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The challenge's signing keys: a {@link KeyRing} that rotates every period (the previous key still verifies for one
 * more period), kept in a file so a restart does not log visitors out.
 *
 * <p>The file is text, one key per line, the key in use first: {@code ID CREATED_EPOCH_SECONDS BASE64_KEY}. It is
 * created with mode 0600 (its directory 0700) when missing, and replaced atomically on rotation. A file that cannot be
 * parsed is an error naming the line, never silently replaced: a typo must not log everyone out unnoticed.
 *
 * <p>Thread-safe: {@link #ring()} is one volatile read (the request path); {@link #rotateIfDue()} is serialised and
 * does blocking file I/O, so it is called off the event loops.
 */
public final class ChallengeKeys {
    private static final String HEADER = "# Bulwark challenge signing keys: keep secret (whoever has them can mint"
            + " challenge cookies).\n# ID CREATED_EPOCH_SECONDS BASE64_KEY; the key in use first, then the previous one.\n";

    private final Optional<Path> file;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private volatile Duration rotation;
    private volatile KeyRing ring;

    private ChallengeKeys(Optional<Path> file, InstantSource clock, Duration rotation, KeyRing ring) {
        this.file = file;
        this.clock = clock;
        this.rotation = rotation;
        this.ring = ring;
    }

    /**
     * Loads the keys from {@code file}, creating it with a new key when it does not exist; with no file, keys live in
     * memory only (a restart invalidates every cookie). A key older than {@code rotation} is rotated at once.
     *
     * @throws IOException when the file cannot be read, parsed or created; the message names the file and the line
     */
    public static ChallengeKeys open(Optional<Path> file, Duration rotation, InstantSource clock) throws IOException {
        ChallengeKeys keys;
        if (file.isEmpty()) {
            keys = new ChallengeKeys(file, clock, rotation, null);
            keys.ring = new KeyRing(keys.newKey(0), null);
            return keys;
        }
        Path f = file.get();
        String text = null;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            // first start: created below
        } catch (IOException e) {
            throw new IOException("challenge key file " + f + ": cannot read: " + e.getMessage(), e);
        }
        if (text == null) {
            keys = new ChallengeKeys(file, clock, rotation, null);
            keys.ring = new KeyRing(keys.newKey(0), null);
            keys.write(keys.ring);
        } else {
            keys = new ChallengeKeys(file, clock, rotation, parse(text, f));
        }
        keys.rotateIfDue();
        return keys;
    }

    /** The keys in force now. */
    KeyRing ring() {
        return ring;
    }

    /** The file the keys live in, if any. */
    public Optional<Path> file() {
        return file;
    }

    /** A new rotation period (config reload); the next {@link #rotateIfDue()} uses it. */
    public void rotation(Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("rotation: " + period + " (expected: > 0)");
        }
        this.rotation = period;
    }

    /** Whether the current key is a full period old (a clock read; no I/O). */
    public boolean rotationDue() {
        return clock.instant().getEpochSecond() - ring.current().createdEpochSecond >= rotation.toSeconds();
    }

    /**
     * Makes a new current key when the current one is a full period old; the old current key becomes the previous one,
     * and the one before that stops verifying. Writes the file (blocking).
     *
     * @return whether a new key was made
     * @throws IOException when the file cannot be written; the new key is in force anyway (rotation is a security
     *     measure and must not wait for a disk), and a restart would go back to the file's keys
     */
    public synchronized boolean rotateIfDue() throws IOException {
        KeyRing r = ring;
        long now = clock.instant().getEpochSecond();
        if (now - r.current().createdEpochSecond < rotation.toSeconds()) {
            return false;
        }
        KeyRing next = new KeyRing(newKey((r.current().id + 1) & 0xFF), r.current());
        ring = next;
        if (file.isPresent()) {
            write(next);
        }
        return true;
    }

    /** The rotation period in whole seconds (at least 1). */
    public long rotationSeconds() {
        return Math.max(1, rotation.toSeconds());
    }

    /** Whether the key in use now is {@code key} (same id, creation and secret). */
    public boolean current(KeyMaterial key) {
        SigningKey c = ring.current();
        return c.id == key.id() && c.createdEpochSecond == key.createdEpochSecond() && c.sameSecret(key.toKey());
    }

    /**
     * Makes {@code current} the key in use (a key the cluster made for this period), and {@code previous} the key that
     * still verifies; when {@code previous} is null, the key in use until now keeps verifying for one more period, so
     * cookies it signed (while the cluster was unreachable, say) stay good. Writes the file (blocking).
     *
     * @return whether the keys changed
     * @throws IOException when the file cannot be written; the keys are in force anyway
     */
    public synchronized boolean adopt(KeyMaterial current, KeyMaterial previous) throws IOException {
        KeyRing r = ring;
        SigningKey next = current.toKey();
        SigningKey before;
        if (previous != null) {
            before = previous.toKey();
        } else if (r.current().id == next.id && r.current().sameSecret(next)) {
            before = r.previous();
        } else {
            before = r.current();
        }
        if (before != null && before.id == next.id) {
            before = null; // 256 periods apart, or the same key: nothing older can share its id
        }
        boolean same = r.current().id == next.id
                && r.current().createdEpochSecond == next.createdEpochSecond
                && r.current().sameSecret(next)
                && (before == null
                        ? r.previous() == null
                        : r.previous() != null
                                && r.previous().id == before.id
                                && r.previous().sameSecret(before));
        if (same) {
            return false;
        }
        KeyRing adopted = new KeyRing(next, before);
        ring = adopted;
        if (file.isPresent()) {
            write(adopted);
        }
        return true;
    }

    private SigningKey newKey(int id) {
        byte[] secret = new byte[SigningKey.SECRET_BYTES];
        random.nextBytes(secret);
        return new SigningKey(id, clock.instant().getEpochSecond(), secret);
    }

    /** Parses the file's text; the message of a failure names the file and line and says how to recover. */
    static KeyRing parse(String text, Path f) throws IOException {
        List<SigningKey> keys = new ArrayList<>(2);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            String problem = null;
            SigningKey key = null;
            if (parts.length != 3) {
                problem = "3 fields, found " + parts.length;
            } else {
                try {
                    int id = Integer.parseInt(parts[0]);
                    long created = Long.parseLong(parts[1]);
                    byte[] secret = Base64.getDecoder().decode(parts[2]);
                    key = new SigningKey(id, created, secret);
                } catch (IllegalArgumentException e) {
                    problem = e instanceof NumberFormatException ? "a number: " + e.getMessage() : e.getMessage();
                }
            }
            if (problem != null) {
                throw corrupt(f, "line " + (i + 1) + ": " + problem);
            }
            keys.add(key);
        }
        if (keys.isEmpty() || keys.size() > 2) {
            throw corrupt(f, keys.size() + " keys (expected: 1 or 2)");
        }
        try {
            return new KeyRing(keys.get(0), keys.size() > 1 ? keys.get(1) : null);
        } catch (IllegalArgumentException e) {
            throw corrupt(f, e.getMessage());
        }
    }

    private static IOException corrupt(Path f, String detail) {
        return new IOException("challenge key file " + f + " is corrupt: " + detail
                + " (expected: lines of ID CREATED_EPOCH_SECONDS BASE64_32_BYTE_KEY, written by Bulwark);"
                + " restore it from a backup, or delete it to start with new keys (visitors then solve the"
                + " challenge again)");
    }

    private static String format(KeyRing r) {
        StringBuilder b = new StringBuilder(HEADER);
        for (SigningKey k : r.previous() == null ? List.of(r.current()) : List.of(r.current(), r.previous())) {
            b.append(k.id)
                    .append(' ')
                    .append(k.createdEpochSecond)
                    .append(' ')
                    .append(Base64.getEncoder().encodeToString(k.secret()))
                    .append('\n');
        }
        return b.toString();
    }

    /** Writes the ring to a new 0600 file beside the target, then moves it over the target. */
    private void write(KeyRing r) throws IOException {
        Path f = file.orElseThrow();
        Path dir = f.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(
                            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
            }
            Path tmp = dir.resolve("." + f.getFileName() + "." + Long.toHexString(random.nextLong()) + ".tmp");
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rw-------");
            try {
                if (posix) {
                    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(owner));
                } else {
                    Files.createFile(tmp);
                }
                Files.writeString(tmp, format(r), StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("challenge key file " + f + ": cannot write: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("challenge key file " + f + ": cannot write: " + e, e);
        }
    }
}
