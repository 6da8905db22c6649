package dev.posts.service;

/** Where a read was answered from: the shared cache, the database after a miss, or the database around the cache. */
public enum Source {
    HIT, MISS, BYPASS
}
