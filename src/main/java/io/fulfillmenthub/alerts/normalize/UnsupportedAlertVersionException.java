package io.fulfillmenthub.alerts.normalize;

/** The Alertmanager webhook {@code version} is not the one this parser understands ("4"). */
public class UnsupportedAlertVersionException extends InvalidAlertPayloadException {
    private static final long serialVersionUID = 1L;

    private final String version;

    public UnsupportedAlertVersionException(String version, String supported) {
        super("unsupported webhook version '" + version + "', expected '" + supported + "'", "version");
        this.version = version;
    }

    public String version() {
        return version;
    }
}
