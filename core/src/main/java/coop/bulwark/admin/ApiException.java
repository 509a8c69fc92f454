package coop.bulwark.admin;

/**
 * A request the API refuses: the status and a short public reason, sent as {@code {"error": "..."}}. Thrown before
 * any state is changed, so a refused request never half-applies.
 */
final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }
}
