package io.fulfillmenthub.events;

/** Lets tests of other packages flip a setting of the running hub for a moment. */
public final class SettingsAccess {

    private SettingsAccess() {
    }

    public static void allowPrivateTargets(EventSettings settings, boolean allow) {
        io.quarkus.arc.ClientProxy.unwrap(settings).allowPrivateTargets = allow;
    }
}
