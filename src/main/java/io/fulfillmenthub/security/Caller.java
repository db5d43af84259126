package io.fulfillmenthub.security;

import java.util.Set;

/** Who is calling: the token's subject, tenant (absent for provider staff) and roles. */
public record Caller(String subject, String tenant, Set<Role> roles) {

    public boolean has(Role role) {
        if (roles.contains(role)) {
            return true;
        }
        // a tenant admin is also a tenant user; the provider admin may do what any provider role may
        return switch (role) {
            case TENANT_USER -> roles.contains(Role.TENANT_ADMIN);
            case SRE, SERVER_ADMIN, NETWORK_ADMIN, PLATFORM_ADMIN -> roles.contains(Role.PROVIDER_ADMIN);
            default -> false;
        };
    }

    public boolean hasAny(Role... anyOf) {
        for (Role r : anyOf) {
            if (has(r)) {
                return true;
            }
        }
        return false;
    }
}
