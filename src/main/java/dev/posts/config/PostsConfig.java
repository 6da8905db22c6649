package dev.posts.config;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The service's own settings. Each one is overridable by an environment variable, which is how ECS passes them:
 * {@code posts.replica-id} is {@code POSTS_REPLICA_ID}, {@code posts.database.retry-after} is
 * {@code POSTS_DATABASE_RETRY_AFTER}, and so on.
 */
@ConfigMapping(prefix = "posts")
public interface PostsConfig {

    /** What {@code X-Served-By} reports; on ECS the task id. When unset, this host's name and the request's port. */
    Optional<String> replicaId();

    /**
     * The longest a starting replica waits for the ECS task metadata endpoint, when {@link #replicaId()} is unset: the
     * endpoint is the ECS agent on the task's own host and answers in milliseconds, and a replica that gets no answer
     * goes on as host name and port rather than hold its start up.
     */
    @WithDefault("1S")
    Duration taskMetadataTimeout();

    /**
     * Whether tokens may be verified with the development key of {@code dev-keys/}, whose private half is public. Only
     * the dev and test profiles allow it.
     */
    @WithDefault("false")
    boolean allowDevelopmentKey();

    /** Whether {@code GET /benchmark/ceiling} answers: the benchmark's constant endpoint, off in production. */
    @WithDefault("false")
    boolean benchmarkCeiling();

    /** Whether every request is logged in one line (method, path, status, duration) once it is answered. */
    @WithDefault("true")
    boolean requestLog();

    Database database();

    interface Database {
        /** What {@code Retry-After} tells a client that met a database outage. */
        @WithDefault("2S")
        Duration retryAfter();

        /**
         * The longest a request waits for the database's next byte before it gives up with a 503: it bounds a
         * connection that went silent (with the pool's 500 ms acquisition timeout, a request that needs a database that
         * does not answer ends within 3 s).
         */
        @WithDefault("2S")
        Duration answerTimeout();

        /** How often each replica measures, in the background, whether the database answers; readiness reports it. */
        @WithDefault("1S")
        Duration probeInterval();

        /** The longest the background probe waits for the database's answer before it calls it down. */
        @WithDefault("1S")
        Duration probeTimeout();
    }

    Redis redis();

    interface Redis {
        /** How often each replica measures, in the background, whether Redis answers; readiness reports it. */
        @WithDefault("1S")
        Duration probeInterval();

        /** The longest the background probe waits for Redis's answer before it calls it down. */
        @WithDefault("500MS")
        Duration probeTimeout();
    }

    Maintenance maintenance();

    /** The periodic job that runs on exactly one replica per tick. */
    interface Maintenance {
        /** The tick: every replica tries once per tick, the first to claim it runs the job. */
        @WithDefault("60S")
        Duration interval();

        /** The most expired idempotency keys one run deletes, so that a run stays short. */
        @WithDefault("10000")
        int purgeLimit();

        /**
         * How long {@code maintenance_runs} keeps the record of which replica ran each tick: a week, as far back as an
         * operator reads the logs it joins with, while the table stays about ten thousand rows (at the default tick).
         */
        @WithDefault("7D")
        Duration history();
    }

    Admission admission();

    /**
     * What one replica takes on at once; past each bound a request is refused at once with a 503 and Retry-After, so
     * that load beyond what it can serve never queues without bound or fills the heap (API.md, "Bounds").
     */
    interface Admission {
        /** Reads that may wait for or hold a database connection: four times the pool. */
        @WithDefault("64")
        int databaseReads();

        /** Writes in flight, from their first byte to their answer: four times the pool. */
        @WithDefault("64")
        int writes();

        /**
         * The heap that bodies in flight may take (requests', responses', and a database read's while it renders), as
         * estimated from their sizes: three sixteenths of the task's 64 MiB heap, which leaves room beside the near
         * cache, the service's own live set (about 15 MiB) and what is read before its size is known.
         */
        @WithDefault("12M")
        MemorySize bodies();

        /** What {@code Retry-After} tells a refused client. */
        @WithDefault("1S")
        Duration retryAfter();
    }

    Cache cache();

    /** The shared cache of posts in Redis; see docs/cache-protocol.md for what each setting protects. */
    interface Cache {
        /**
         * Off: every read goes to the database ({@code X-Cache: BYPASS}). Writes still record and apply their
         * invalidations, since the other replicas of the database may be reading through Redis.
         */
        @WithDefault("true")
        boolean enabled();

        /** How long an entry lives at most (the last backstop), spread by {@link #ttlJitter()}. */
        @WithDefault("10M")
        Duration ttl();

        /** The fraction by which TTLs are spread, so that entries filled together do not expire together. */
        @WithDefault("0.1")
        double ttlJitter();

        /** The longest a read waits for Redis before it goes to the database instead. */
        @WithDefault("50MS")
        Duration timeout();

        /**
         * The longest a write waits for Redis to take its invalidation before it is acknowledged anyway (the
         * invalidation is then relayed within {@link #maxStaleness()}).
         */
        @WithDefault("250MS")
        Duration invalidationTimeout();

        /** How long the lease to fill a missed post is held at most; longer than a database read. */
        @WithDefault("2S")
        Duration leaseTtl();

        /** How long a reader waits for another replica's fill of a hot post before it reads the database itself. */
        @WithDefault("300MS")
        Duration leaseWait();

        /**
         * How often each replica checks that Redis answers and is still the one it trusts (its scripts are loaded), and
         * retries a Redis it lost.
         */
        @WithDefault("100MS")
        Duration heartbeat();

        /**
         * The longest one of the heartbeat's, the recovery's or the relay's Redis commands may take: longer than a
         * read's wait, since they run off the request path and a wipe or a relay batch is many keys at once.
         */
        @WithDefault("1S")
        Duration recoveryTimeout();

        /**
         * How long Redis remembers that a recorded invalidation was applied: far longer than a row waits for the relay
         * (half of {@link #maxStaleness()}); a mark that expires first costs one more first-page miss.
         */
        @WithDefault("60S")
        Duration appliedMarkTtl();

        /**
         * The bound on staleness when a writer could not reach Redis while other replicas could: replicas relay the
         * invalidations it recorded in the database at twice this rate.
         */
        @WithDefault("1S")
        Duration maxStaleness();

        Near near();

        /**
         * Each replica's own memory in front of Redis, served only under a lease that every write waits for; see the
         * docs/cache-protocol.md, rule 12.
         */
        interface Near {
            /**
             * Off: this replica serves nothing from memory and holds no lease. Its writes still tell the replicas that
             * hold one and wait for them, so a fleet that mixes on and off stays consistent.
             */
            @WithDefault("true")
            boolean enabled();

            /**
             * How long a lease lasts in Redis once granted: the longest a write waits for a replica that does not
             * answer. The replica itself serves from memory for only {@link #leaseMargin()} of it, measured on its own
             * clock from before it asked, and renews it on every heartbeat.
             */
            @WithDefault("1S")
            Duration lease();

            /** The part of the lease a replica uses, leaving the rest for its clock to run slower than Redis's. */
            @WithDefault("0.8")
            double leaseMargin();

            /** The most entries held in memory. */
            @WithDefault("10000")
            int maxEntries();

            /**
             * The most heap the entries' bodies take, in bytes: each body counts two bytes a character (what a string
             * takes at most) and at least its share of {@link #maxEntries()}. An eighth of the task's 64 MiB heap.
             */
            @WithDefault("8M")
            MemorySize maxBytes();
        }
    }
}
