package dev.posts.service;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The opaque {@code nextCursor} of a page: a versioned prefix and the id the next page starts below, base64url-encoded,
 * so that clients cannot build one and the format can change without breaking the cursors in their hands.
 */
public final class PageCursor {

    private static final String PREFIX = "p1:";
    private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,18}");
    /** Far longer than any cursor this service hands out; a longer one is refused before it is decoded. */
    private static final int MAX_LENGTH = 64;

    private PageCursor() {
    }

    /** The cursor of the page below {@code before}, or null when there is no next page. */
    public static String encode(Long before) {
        if (before == null) {
            return null;
        }
        byte[] text = (PREFIX + before).getBytes(StandardCharsets.US_ASCII);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text);
    }

    /** The id a cursor starts below, or null when it is not a cursor this service handed out. */
    public static Long decode(String cursor) {
        if (cursor.length() > MAX_LENGTH) {
            return null;
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!text.startsWith(PREFIX) || !ID.matcher(text).region(PREFIX.length(), text.length()).matches()) {
            return null;
        }
        try {
            return Long.parseLong(text, PREFIX.length(), text.length(), 10);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
