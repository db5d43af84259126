package io.fulfillmenthub.security;

import java.util.Locale;

/** The roles of the contract, carried in the token's {@code groups} claim. */
public enum Role {
    TENANT_USER, TENANT_ADMIN, SRE, SERVER_ADMIN, NETWORK_ADMIN, PLATFORM_ADMIN, PROVIDER_ADMIN;

    /** The name in tokens: {@code tenant-admin}, {@code sre}, ... */
    public String claim() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean isTenantRole() {
        return this == TENANT_USER || this == TENANT_ADMIN;
    }
}
