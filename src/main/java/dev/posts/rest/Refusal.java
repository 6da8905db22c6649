package dev.posts.rest;

/** Why the service answers a request before any route runs: the status and the detail of its problem body. */
record Refusal(int status, String detail) {
}
