package dev.posts.admission;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class HeapBudgetUnitTest {

    @Test
    void whatIsTakenIsNotFreeUntilGivenBack() {
        HeapBudget budget = new HeapBudget(10 << 10);
        assertTrue(budget.take(6 << 10));
        assertFalse(budget.take(6 << 10), "only 4 KiB are free");
        budget.give(6 << 10);
        assertTrue(budget.take(6 << 10));
    }

    @Test
    void partsOfAKibibyteAreTakenAndGivenBackWhole() {
        HeapBudget budget = new HeapBudget(4 << 10);
        assertTrue(budget.take(1500));
        assertTrue(budget.take(1500));
        budget.give(HeapBudget.rounded(1500) + HeapBudget.rounded(1500));
        assertTrue(budget.take(4 << 10), "every KiB came back");
    }

    @Test
    void aTakeThatCannotBeMetInTimeFails() {
        HeapBudget budget = new HeapBudget(1 << 10);
        assertTrue(budget.take(1 << 10));
        assertFalse(budget.take(1, Duration.ofMillis(20)));
    }
}
