package dev.posts.rest;

/** The shape of a merge patch, for the API description only: the patch itself is read by {@link MergePatches}. */
record PostPatchBody(String title, String content) {
}
