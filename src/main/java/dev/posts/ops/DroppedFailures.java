package dev.posts.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * What Mutiny drops is a failure nobody waits for any more: the request was cancelled, almost always because its client
 * went away (a read on the worker then finds its statement closed under it). That is not the service's error, and a
 * client that connects and leaves in a loop must not be able to write an ERROR line and a stack trace each time.
 */
@ApplicationScoped
class DroppedFailures {

    private static final Logger LOG = Logger.getLogger(DroppedFailures.class);

    void install(@Observes StartupEvent event) {
        Infrastructure.setDroppedExceptionHandler(failure -> LOG.debugf("dropped after its request was cancelled: %s",
                failure.getClass().getSimpleName()));
    }
}
