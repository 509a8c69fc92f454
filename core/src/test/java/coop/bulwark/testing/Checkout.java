package coop.bulwark.testing;

import java.nio.file.Path;

/**
 * The checkout's root directory, where tests find {@code scenarios/}, {@code examples/} and {@code deploy/}: Surefire
 * runs each module's tests in the module's directory, and the parent pom passes the root as {@code bulwark.checkout}.
 */
public final class Checkout {
    private Checkout() {}

    /** {@code relative} under the checkout's root (the working directory when the property is not set, e.g. in an IDE). */
    public static Path resolve(String relative) {
        String root = System.getProperty("bulwark.checkout");
        return root == null || root.isBlank()
                ? Path.of(relative)
                : Path.of(root).resolve(relative);
    }
}
