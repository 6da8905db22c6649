package dev.posts.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;

import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The title and content rules of a post body ({@link Text} on {@link PostInput}), through the same Bean Validation
 * provider the service runs, without the service.
 */
class TextUnitTest {

    private static final String OK_CONTENT = "Some content";
    private static final String OK_TITLE = "A title";

    private static ValidatorFactory factory;
    private static Validator validator;

    @BeforeAll
    static void validator() {
        factory = Validation.byProvider(HibernateValidator.class).configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory();
        validator = factory.getValidator();
    }

    @AfterAll
    static void close() {
        factory.close();
    }

    @Test
    void aTitleOfOneTo200VisibleCharactersIsValid() {
        assertEquals(Set.of(), title("H"));
        assertEquals(Set.of(), title("x".repeat(200)));
        assertEquals(Set.of(), title("  padded  "), "the length rule applies after trimming");
        assertEquals(Set.of(), title(" " + "x".repeat(200) + " "));
        assertEquals(Set.of(), title("Caf\u00e9 na\u00efve \u65e5\u672c"));
    }

    @Test
    void lengthsAreCountedInCodePointsAsPostgresCountsThem() {
        String emoji = "\ud83d\ude00";
        assertEquals(Set.of(), title(emoji.repeat(200)), "400 UTF-16 units, 200 characters");
        assertEquals(Set.of("must be at most 200 characters"), title(emoji.repeat(201)));
        assertEquals(Set.of("must be at most 200 characters"), title("x".repeat(201)));
    }

    @Test
    void aBlankTitleIsRefusedWhateverItsWhiteSpace() {
        for (String blank : List.of("", " ", "\t", "\u00a0", "\u2007", "\u202f", "\u3000", "\u2028", "\u1680",
                " \u00a0\u2003 ")) {
            assertEquals(Set.of("must not be blank"), title(blank), "title " + codePoints(blank));
        }
    }

    @Test
    void aTitleOfOnlyInvisibleCharactersIsRefused() {
        for (String invisible : List.of("\u200b", "\u200d", "\ufeff", "\u00ad", "\u0301", "\ufe0f", "\u3164",
                "\u115f", "\uffa0", "\u2800", "\u200b\u200c\u2060", "\u20dd")) {
            assertEquals(Set.of("must contain a visible character"), title(invisible),
                    "title " + codePoints(invisible));
        }
        assertEquals(Set.of(), title("e\u0301"), "a combining mark on a letter is visible");
        assertEquals(Set.of(), title("\u200bx"));
    }

    @Test
    void aTitleHoldsNoControlCharacterNotEvenALineBreak() {
        assertEquals(Set.of("must not contain control characters (U+000A at position 1)"), title("a\nb"));
        assertEquals(Set.of("must not contain control characters (U+0000 at position 1)"), title("a\u0000b"));
        assertEquals(Set.of("must not contain control characters (U+007F at position 0)"), title("\u007fa"));
        assertEquals(Set.of("must not contain control characters (U+0085 at position 1)"), title("a\u0085"));
    }

    @Test
    void contentMayHoldLineBreaksAndTabsButNoOtherControlCharacter() {
        assertEquals(Set.of(), content("line\nnext\r\n\ttabbed"));
        assertEquals(Set.of("must not contain control characters (U+0000 at position 2)"), content("ab\u0000"));
        assertEquals(Set.of("must not contain control characters (U+001B at position 0)"), content("\u001b[31m"));
    }

    @Test
    void anUnpairedSurrogateIsRefusedAnywhere() {
        assertEquals(Set.of("must be valid Unicode (unpaired surrogate at position 1)"), title("a\ud800b"));
        assertEquals(Set.of("must be valid Unicode (unpaired surrogate at position 0)"), content("\udc00"));
        assertEquals(Set.of("must be valid Unicode (unpaired surrogate at position 1)"), content("x\ude00\ud83d"));
        assertEquals(Set.of("must be valid Unicode (unpaired surrogate at position 0)"), title("\ud83d"));
    }

    @Test
    void contentIsOneTo100000CharactersAndNotTrimmed() {
        assertEquals(Set.of("must not be empty"), content(""));
        assertEquals(Set.of(), content(" "), "content is kept as sent, spaces included");
        assertEquals(Set.of(), content("x".repeat(100_000)));
        assertEquals(Set.of("must be at most 100000 characters"), content("x".repeat(100_001)));
    }

    @Test
    void bothFieldsAreRequired() {
        assertEquals(Set.of("content: is required", "title: is required"), messages(new PostInput(null, null)));
    }

    @Test
    void theStoredTitleIsTrimmedOfUnicodeWhiteSpaceAndTheContentKeptAsSent() {
        PostInput stored = new PostInput("\u00a0\u2003 Hello \u202f\n", "  body  ").normalized();
        assertEquals(new PostInput("Hello", "  body  "), stored);
        assertEquals("a \u00a0 b", TextValidator.trim("a \u00a0 b"), "only the ends are trimmed");
    }

    @Test
    void aMergePatchChangesOnlyTheFieldsItNames() {
        PostInput current = new PostInput("Old title", "Old content");
        assertEquals(new PostInput("New", "Old content"), new PostPatch("New", null).applyTo(current));
        assertEquals(new PostInput("Old title", "New"), new PostPatch(null, "New").applyTo(current));
        assertEquals(current, new PostPatch(null, null).applyTo(current));
    }

    private static Set<String> title(String title) {
        return only("title", new PostInput(title, OK_CONTENT));
    }

    private static Set<String> content(String content) {
        return only("content", new PostInput(OK_TITLE, content));
    }

    private static Set<String> only(String field, PostInput input) {
        Set<String> messages = new TreeSet<>();
        for (ConstraintViolation<PostInput> violation : validator.validate(input)) {
            assertEquals(field, violation.getPropertyPath().toString());
            messages.add(violation.getMessage());
        }
        return messages;
    }

    private static Set<String> messages(PostInput input) {
        Set<String> messages = new TreeSet<>();
        validator.validate(input).forEach(v -> messages.add(v.getPropertyPath() + ": " + v.getMessage()));
        return messages;
    }

    private static String codePoints(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> out.append("U+%04X ".formatted(c)));
        return out.toString().strip();
    }
}
