package coop.bulwark.challenge;

/**
 * The keys in force: the current one signs, the current and the previous one verify. Immutable; the
 * {@link ChallengeKeys} publish a new ring on rotation.
 *
 * @param current signs new tokens and cookies
 * @param previous still verifies for one rotation period after it was replaced, or null
 */
record KeyRing(SigningKey current, SigningKey previous) {
    KeyRing {
        if (current == null) {
            throw new IllegalArgumentException("current key: null");
        }
        if (previous != null && previous.id == current.id) {
            throw new IllegalArgumentException("previous key id: " + previous.id + " (expected: not the current id)");
        }
    }

    /** The key with {@code id}, or null (unknown, or rotated out). */
    SigningKey byId(int id) {
        if (current.id == id) {
            return current;
        }
        return previous != null && previous.id == id ? previous : null;
    }
}
