package coop.bulwark.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The admin API's bearer token, read from {@code admin.token_file}, or created there on first start: 256 random bits
 * as 64 hex digits, mode 0600 from the moment the file exists (never written world-readable and then tightened).
 *
 * <p>Immutable and thread-safe. {@link #matches} compares in constant time, so response timing does not reveal how
 * many leading characters of a guess were right.
 */
final class AdminToken {
    /** Shortest token accepted from a file someone wrote by hand: 128 bits as hex. */
    static final int MIN_LENGTH = 32;

    private final byte[] token;

    private AdminToken(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the token in {@code file}, creating the file with a fresh random token first if it does not exist. */
    public static AdminToken loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            create(file);
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.length() < MIN_LENGTH || !text.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IOException("admin.token_file " + file + ": not a usable token (expected: at least " + MIN_LENGTH
                    + " printable ASCII characters on one line; delete the file to have a new one generated)");
        }
        return new AdminToken(text);
    }

    private static void create(Path file) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            return; // another process created it first: use theirs
        } catch (UnsupportedOperationException e) {
            throw new IOException("admin.token_file " + file + ": cannot create it with owner-only permissions"
                    + " on this file system (expected: a POSIX file system, or create the file yourself)");
        }
        Files.writeString(file, HexFormat.of().formatHex(random) + "\n", StandardCharsets.US_ASCII);
    }

    /** Whether {@code presented} is the token; constant time in the token's length. Null never matches. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The token text, for a client in the same process (the CLI tests); never logged. */
    String value() {
        return new String(token, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AdminToken[redacted]";
    }
}
