package dev.posts.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Latency histograms for HTTP requests, so that percentiles can be computed across replicas in Prometheus; and HTTP
 * tags held to a fixed set of values, so that no client can grow the registry (and every scrape) with made-up methods
 * or paths, and no exception class name reaches a scrape (the HTTP layer's error counter is tagged by kind).
 */
@Singleton
class MetricsSettings {

    static final String OTHER = "OTHER";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** The routes' templates, and the names Quarkus gives to requests that matched none. */
    private static final Set<String> URIS = Set.of("/posts", "/posts/{id}", "/benchmark/ceiling", "NOT_FOUND",
            "REDIRECTION", "root", "UNKNOWN");

    @Produces
    @Singleton
    MeterFilter httpLatencyHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getName().equals("http.server.requests")) {
                    return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
                }
                return config;
            }
        };
    }

    @Produces
    @Singleton
    MeterFilter boundedHttpTags() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith("http.server") ? id.replaceTags(bounded(id.getTags())) : id;
            }
        };
    }

    /** What {@code http.server.errors} counts, named by kind rather than by the HTTP layer's exception class. */
    private static String errorKind(String exceptionClass) {
        if (exceptionClass.endsWith("TooLongHttpHeaderException")) {
            return "headers_too_large";
        }
        if (exceptionClass.endsWith("TooLongHttpLineException")) {
            return "request_line_too_long";
        }
        return exceptionClass.endsWith("TooLongHttpContentException") ? "body_too_large" : OTHER;
    }

    static List<Tag> bounded(List<Tag> tags) {
        List<Tag> bounded = new ArrayList<>(tags.size());
        for (Tag tag : tags) {
            if (tag.getKey().equals("server.port") || tag.getKey().equals("server_port")) {
                // Only some of the two servers' meters carry it, and Prometheus refuses a name with two sets of keys.
                continue;
            }
            String value = switch (tag.getKey()) {
                case "method" -> METHODS.contains(tag.getValue()) ? tag.getValue() : OTHER;
                case "uri" -> URIS.contains(tag.getValue()) ? tag.getValue() : OTHER;
                case "exception" -> "none".equals(tag.getValue()) ? "none" : OTHER;
                case "class" -> errorKind(tag.getValue());
                default -> tag.getValue();
            };
            bounded.add(Tag.of(tag.getKey(), value));
        }
        return bounded;
    }
}
