package io.fulfillmenthub.inventory;

import java.util.List;

/**
 * Counts a host's open hardware alerts for the inventory views. The alerts capability provides the implementation;
 * without it every count is zero.
 */
public interface OpenAlerts {

    long count(String hostId);

    default void fill(List<Host> hosts) {
        for (Host h : hosts) {
            h.status.openAlerts = count(h.id);
        }
    }
}
