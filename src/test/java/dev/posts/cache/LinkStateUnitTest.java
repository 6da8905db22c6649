package dev.posts.cache;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LinkStateUnitTest {

    @Test
    void aRecoveryBringsTheCacheBackWhenNothingWasLostMeanwhile() {
        LinkState state = new LinkState();
        assertFalse(state.usable(), "a replica starts bypassing the cache");
        assertTrue(state.recovered(state.ticket()));
        assertTrue(state.usable());
    }

    @Test
    void aLossDuringARecoveryWinsOverIt() {
        LinkState state = new LinkState();
        long ticket = state.ticket();
        assertFalse(state.lose(), "the cache was not in use: nothing to report");
        assertFalse(state.recovered(ticket));
        assertFalse(state.usable());
        assertTrue(state.recovered(state.ticket()), "the next recovery may bring it back");
    }

    @Test
    void aLossAfterTheCacheCameBackBypassesItAgain() {
        LinkState state = new LinkState();
        long ticket = state.ticket();
        assertTrue(state.recovered(ticket));
        assertTrue(state.lose());
        assertFalse(state.usable());
        assertFalse(state.recovered(ticket), "an old ticket cannot bring it back");
    }
}
