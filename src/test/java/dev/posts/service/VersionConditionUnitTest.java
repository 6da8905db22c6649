package dev.posts.service;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which current versions a write's conditions let it change. */
class VersionConditionUnitTest {

    @Test
    void noConditionAdmitsEveryVersion() {
        assertTrue(VersionCondition.NONE.admits(1));
        assertTrue(VersionCondition.NONE.admits(Long.MAX_VALUE));
    }

    @Test
    void ifMatchAdmitsOnlyTheVersionsItNames() {
        VersionCondition condition = new VersionCondition(Set.of(2L, 4L), Set.of(), false);
        assertTrue(condition.admits(2));
        assertTrue(condition.admits(4));
        assertFalse(condition.admits(3));
    }

    @Test
    void anIfMatchThatNamedNoUsableTagAdmitsNothing() {
        VersionCondition condition = new VersionCondition(Set.of(), Set.of(), false);
        assertFalse(condition.admits(1), "W/\"1\" or \"abc\": the write must give 412, not apply");
    }

    @Test
    void ifNoneMatchExcludesTheVersionsItNames() {
        VersionCondition condition = new VersionCondition(null, Set.of(3L), false);
        assertFalse(condition.admits(3));
        assertTrue(condition.admits(4));
    }

    @Test
    void ifNoneMatchStarExcludesEveryVersion() {
        assertFalse(new VersionCondition(null, Set.of(), true).admits(1));
    }

    @Test
    void bothMustHold() {
        VersionCondition condition = new VersionCondition(Set.of(3L), Set.of(3L), false);
        assertFalse(condition.admits(3));
    }

    @Test
    void theConditionKeepsNoReferenceToTheSetsItWasGiven() {
        Set<Long> match = new HashSet<>(Set.of(3L));
        VersionCondition condition = new VersionCondition(match, new HashSet<>(), false);
        match.add(4L);
        assertFalse(condition.admits(4));
    }
}
