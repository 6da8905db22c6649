package dev.posts.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The drill's read-after-acknowledged-write judgement, on reads whose answers are known. */
class AcknowledgedUnitTest {

    @Test
    void aReadOfTheAcknowledgedVersionOrANewerOneIsNotStale() {
        assertNull(Acknowledged.judgeRead(7, 3, 200, 3, false));
        assertNull(Acknowledged.judgeRead(7, 3, 200, 9, false));
    }

    @Test
    void aReadOlderThanTheFloorAtItsSendingIsStale() {
        assertEquals("post 7 at version 2 after 3 was acknowledged", Acknowledged.judgeRead(7, 3, 200, 2, false));
    }

    @Test
    void notFoundAfterAnAcknowledgedCreateIsStaleUnlessADeleteWasOnItsWay() {
        assertEquals("post 7 not found after version 1 was acknowledged", Acknowledged.judgeRead(7, 1, 404, 0, false));
        assertNull(Acknowledged.judgeRead(7, 1, 404, 0, true));
    }

    @Test
    void afterAnAcknowledgedDeleteOnlyNotFoundIsNewEnough() {
        assertNull(Acknowledged.judgeRead(7, Acknowledged.GONE, 404, 0, true));
        assertEquals("post 7 answered 200 after its delete was acknowledged",
                Acknowledged.judgeRead(7, Acknowledged.GONE, 200, 4, true));
    }

    @Test
    void aPostNeverAcknowledgedHoldsTheReadToNothing() {
        assertNull(Acknowledged.judgeRead(7, 0, 404, 0, false));
        assertNull(Acknowledged.judgeRead(7, 0, 200, 1, false));
    }

    @Test
    void aPageIsStaleForEachListedPostOlderThanItsFloorOrDeleted() {
        Map<Long, Long> floors = Map.of(1L, 5L, 2L, Acknowledged.GONE, 3L, 2L);
        List<String> stale = Acknowledged.judgePage(floors, Map.of(1L, 4L, 2L, 1L, 3L, 2L, 99L, 1L));
        assertEquals(2, stale.size(), stale.toString());
        assertTrue(stale.contains("post 1 listed at version 4 after 5 was acknowledged"));
        assertTrue(stale.contains("post 2 listed after its delete was acknowledged"));
    }

    @Test
    void theFloorOnlyMovesForwardAndADeleteEndsIt() {
        Acknowledged acknowledged = new Acknowledged();
        acknowledged.acknowledge(7, 4, 100);
        acknowledged.acknowledge(7, 3, 120); // an earlier write acknowledged later
        assertEquals(4, acknowledged.floor(7));
        acknowledged.acknowledge(7, Acknowledged.GONE, 200);
        assertEquals(Acknowledged.GONE, acknowledged.floor(7));
        assertEquals(Map.of(7L, Acknowledged.GONE), acknowledged.snapshot());
    }

    @Test
    void aStaleReadIsTimedFromTheFirstAcknowledgementNewerThanWhatItReturned() {
        Acknowledged acknowledged = new Acknowledged();
        acknowledged.acknowledge(7, 1, 1_000);
        acknowledged.acknowledge(7, 2, 5_000);
        acknowledged.acknowledge(7, 3, 9_000);
        assertEquals(5_000, acknowledged.staleFor(7, 1, 10_000)); // version 2, acknowledged at 5 ms, was missed
        assertEquals(1_000, acknowledged.staleFor(7, 2, 10_000));
        assertEquals(9_000, acknowledged.staleFor(7, 0, 10_000)); // not found: it missed the create
        assertEquals(-1, acknowledged.staleFor(8, 0, 10_000));
    }
}
