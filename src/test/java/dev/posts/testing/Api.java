package dev.posts.testing;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** Requests to the service under test, as an authenticated caller; {@link RestAssured#given()} for an anonymous one. */
public final class Api {

    /** The caller most tests act as, and so the author of what they create. */
    public static final String ALICE = "alice";

    private Api() {
    }

    public static RequestSpecification given() {
        return as(ALICE);
    }

    public static RequestSpecification as(String subject) {
        return RestAssured.given().auth().oauth2(TestTokens.of(subject));
    }
}
