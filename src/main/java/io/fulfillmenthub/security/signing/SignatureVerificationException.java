package io.fulfillmenthub.security.signing;

import java.util.Objects;

/**
 * A webhook signature was rejected. {@link #reason()} says exactly why; the message adds detail that is safe to log
 * (it never contains secrets or expected signatures).
 */
public class SignatureVerificationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final SignatureFailure reason;

    public SignatureVerificationException(SignatureFailure reason, String detail) {
        super(Objects.requireNonNull(reason, "reason") + ": " + detail);
        this.reason = reason;
    }

    public SignatureFailure reason() {
        return reason;
    }
}
