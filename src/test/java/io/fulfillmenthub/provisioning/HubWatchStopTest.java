package io.fulfillmenthub.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.fulfillmenthub.inventory.InventorySync;
import io.fulfillmenthub.store.Db;
import io.fulfillmenthub.store.SqlWork;
import io.fulfillmenthub.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The periodic inventory resync fails with "Client already closed" when the hub's stop closes the management hub's
 * client under it: a failure while the hub runs is a warning an operator must see, the same failure as it stops is
 * not (it was one in every stop that caught a resync).
 */
class HubWatchStopTest {

    final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    final Logger logger = Logger.getLogger(HubWatch.class.getName());
    final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        logger.addHandler(handler);
    }

    @AfterEach
    void release() {
        logger.removeHandler(handler);
    }

    /** An inventory whose resync fails as the client closes; {@code during} runs first (the stop, or nothing). */
    static InventorySync failing(Runnable during) {
        return new InventorySync() {
            @Override
            public int resync() {
                during.run();
                throw new IllegalStateException("Client already closed");
            }
        };
    }

    /**
     * One resync in the three cases: its failure while the hub runs is one warning; the same failure when the stop
     * overtakes it is none; once the hub stopped it does not begin. {@code failWith} arms the resync to fail after
     * running its argument.
     */
    void warnsOnlyWhileTheHubRuns(HubWatch watch, Consumer<Runnable> failWith, Runnable resync) {
        failWith.accept(() -> { });
        resync.run();
        assertEquals(1, warnings.size(), "a failure while the hub runs is a warning, not an error thrown to the scheduler");

        failWith.accept(() -> watch.stop(null)); // the stop overtakes a resync: the client or datasource closes under it
        resync.run();
        assertEquals(1, warnings.size(), "no warning for a resync the stop overtook: " + warnings);

        failWith.accept(() -> { throw new AssertionError("resync after the stop"); });
        resync.run();
        assertEquals(1, warnings.size());
    }

    @Test
    void anInventoryResyncFailureIsAWarningWhileTheHubRunsAndNotOnceItStops() {
        HubWatch watch = new HubWatch();
        warnsOnlyWhileTheHubRuns(watch, during -> watch.inventory = failing(during), watch::resyncInventory);
    }

    /** A store whose transactions fail as the datasource closes; {@code during} runs first (the stop, or nothing). */
    static Db closing(Runnable during) {
        return new Db() {
            @Override
            public <T> T tx(SqlWork<T> work) {
                during.run();
                throw new StoreException(new java.sql.SQLException("The object is already closed [90007-230]"));
            }
        };
    }

    /** The cluster resync: once a stop that caught it logged an ERROR (the scheduler's; CI on 2026-11-28). */
    @Test
    void aClusterResyncFailureIsAWarningWhileTheHubRunsAndNotOnceItStops() {
        HubWatch watch = new HubWatch();
        warnsOnlyWhileTheHubRuns(watch, during -> watch.db = closing(during), watch::resyncClusters);
    }
}
