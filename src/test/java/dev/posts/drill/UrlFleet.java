package dev.posts.drill;

import java.net.URI;

/** A fleet known only by its load balancer's URL: a consistency probe, no faults. */
record UrlFleet(URI uri) implements Fleet {

    @Override
    public String describe() {
        return uri.toString();
    }

    @Override
    public String cannot(Fault fault) {
        return "faults need the stack's name (--stack)";
    }

    @Override
    public String inject(Fault fault, int hold) {
        throw new UnsupportedOperationException("a fleet known by its URL alone takes no fault");
    }

    @Override
    public void close() {
        // nothing was started for it
    }
}
