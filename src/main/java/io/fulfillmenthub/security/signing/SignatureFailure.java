package io.fulfillmenthub.security.signing;

/**
 * Why a webhook signature was not accepted. Shared by {@link StandardWebhooks} and the Stripe verifier.
 *
 * <p>All reasons except {@link #MALFORMED_SECRET} are the sender's problem (answer 4xx; Stripe recommends 400).
 * {@link #MALFORMED_SECRET} means the hub's own configuration is wrong: answer 5xx so the sender retries
 * while an operator fixes the secret.
 */
public enum SignatureFailure {
    /** A required header is absent or blank. */
    MISSING_HEADERS,
    /** A header is present but cannot be parsed (e.g. Stripe header without {@code t=}, conflicting duplicates). */
    MALFORMED_HEADER,
    /** The timestamp is not a non-negative integer number of seconds. */
    BAD_TIMESTAMP,
    /** The signature is valid but the timestamp is older than the tolerance (replay or very late delivery). */
    TIMESTAMP_TOO_OLD,
    /** The signature is valid but the timestamp is further in the future than the tolerance. */
    TIMESTAMP_TOO_NEW,
    /** No signature of the supported scheme ({@code v1}) matches any configured secret. */
    NO_MATCH,
    /** No secret configured, or a configured secret cannot be decoded: a server-side configuration error. */
    MALFORMED_SECRET;

    /** True when the failure is the receiver's misconfiguration rather than a bad request. */
    public boolean isConfigurationError() {
        return this == MALFORMED_SECRET;
    }
}
