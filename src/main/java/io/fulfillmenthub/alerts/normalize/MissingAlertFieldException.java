package io.fulfillmenthub.alerts.normalize;

/** A required field is absent, null or of the wrong JSON type. {@link #field()} names it. */
public class MissingAlertFieldException extends InvalidAlertPayloadException {
    private static final long serialVersionUID = 1L;

    public MissingAlertFieldException(String field) {
        super("missing required field " + field, field);
    }
}
