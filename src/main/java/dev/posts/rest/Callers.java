package dev.posts.rest;

import jakarta.ws.rs.core.SecurityContext;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.AuthenticationFailedException;

/** Who is calling: the subject of the bearer token, which is the author of what the caller writes. */
final class Callers {

    private static final int SUBJECT_MAX = 255;

    private Callers() {
    }

    static String author(SecurityContext security) {
        if (security.getUserPrincipal() instanceof JsonWebToken token) {
            String subject = token.getSubject();
            if (subject != null && !subject.isBlank() && subject.length() <= SUBJECT_MAX
                    && subject.chars().noneMatch(Character::isISOControl)) {
                return subject;
            }
        }
        // A token that verified but names no usable subject cannot be the author of anything.
        throw new AuthenticationFailedException("the token has no usable subject");
    }
}
