package dev.posts.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * The names of what the API description says once and operations refer to (headers, request headers and error
 * responses, defined in this package's {@code package-info}), and a filter that applies the rows of the contract that
 * hold for many operations at once, so that no operation can miss them: every operation of the API may answer 400 (a
 * bad path, query, header or body) and 503 (the database away), every write 401 (no valid bearer token), and every
 * response carries {@code X-Served-By} and {@code X-Request-Id}, which every request may send.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ApiDescription implements OASFilter {

    static final String SERVED_BY = "X-Served-By";
    static final String REQUEST_ID = "X-Request-Id";
    static final String ETAG = "ETag";
    static final String X_CACHE = "X-Cache";
    static final String LOCATION = "Location";
    static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
    static final String RETRY_AFTER = "Retry-After";
    static final String WWW_AUTHENTICATE = "WWW-Authenticate";
    static final String IF_MATCH = "If-Match";
    static final String IF_NONE_MATCH = "If-None-Match";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    static final String BAD_REQUEST = "BadRequest";
    static final String UNAUTHORIZED = "Unauthorized";
    static final String FORBIDDEN = "Forbidden";
    static final String NOT_FOUND = "NotFound";
    static final String PRECONDITION_FAILED = "PreconditionFailed";
    static final String TOO_LARGE = "ContentTooLarge";
    static final String UNSUPPORTED_TYPE = "UnsupportedMediaType";
    static final String KEY_REUSED = "IdempotencyKeyReused";
    static final String UNAVAILABLE = "DatabaseUnavailable";

    private static final String API = "/posts";
    /**
     * The health checks the load balancer and the platform read. Quarkus describes them only when there is no
     * management interface, and this service has one, for its metrics.
     */
    private static final Map<String, String> HEALTH = Map.of(
            "/q/health/live", "Liveness: the process can serve; the database and Redis are not part of it",
            "/q/health/ready", "Readiness, the load balancer's check: DOWN while the replica starts or shuts down; the"
                    + " database and Redis appear as data, never as the verdict",
            "/q/health/started", "Startup finished, the migrations applied");
    private static final List<String> EVERY_RESPONSE = List.of(SERVED_BY, REQUEST_ID);

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() != null && openAPI.getComponents().getResponses() != null) {
            openAPI.getComponents().getResponses().values().forEach(ApiDescription::addEveryResponseHeader);
        }
        if (openAPI.getPaths() == null) {
            openAPI.setPaths(OASFactory.createPaths());
        }
        if (openAPI.getTags() == null || openAPI.getTags().stream().noneMatch(t -> "health".equals(t.getName()))) {
            openAPI.addTag(OASFactory.createTag().name("health"));
        }
        HEALTH.forEach((path, summary) -> {
            if (!openAPI.getPaths().hasPathItem(path)) {
                openAPI.getPaths().addPathItem(path, OASFactory.createPathItem().GET(health(summary)));
            }
        });
        openAPI.getPaths().getPathItems().forEach((path, item) -> item.getOperations().forEach((method, operation) -> {
            if (path.equals(API) || path.startsWith(API + "/")) {
                addErrors(method, operation);
            }
            addRequestId(operation);
            if (operation.getResponses() != null && operation.getResponses().getAPIResponses() != null) {
                operation.getResponses().getAPIResponses().values().forEach(ApiDescription::addEveryResponseHeader);
            }
        }));
    }

    /** The error table's rows that hold for every operation, or every write, of the API. */
    private static void addErrors(PathItem.HttpMethod method, Operation operation) {
        APIResponses responses = operation.getResponses() == null
                ? OASFactory.createAPIResponses()
                : operation.getResponses();
        // These replace the generic 400 and 401 derived from @Valid and the security annotations: the API's have the
        // problem body, and its 401 WWW-Authenticate.
        responses.addAPIResponse("400", OASFactory.createAPIResponse().ref(BAD_REQUEST));
        responses.addAPIResponse("503", OASFactory.createAPIResponse().ref(UNAVAILABLE));
        if (method != PathItem.HttpMethod.GET) {
            responses.addAPIResponse("401", OASFactory.createAPIResponse().ref(UNAUTHORIZED));
        }
        // A 403 of its own is derived for a missing role, which no operation asks for: the API's 403 is Forbidden.
        var forbidden = responses.getAPIResponse("403");
        if (forbidden != null && forbidden.getRef() == null) {
            responses.removeAPIResponse("403");
        }
        operation.setResponses(responses);
    }

    private static Operation health(String summary) {
        var report = OASFactory.createContent().addMediaType("application/json",
                OASFactory.createMediaType().schema(OASFactory.createSchema().addType(
                        org.eclipse.microprofile.openapi.models.media.Schema.SchemaType.OBJECT)));
        return OASFactory.createOperation().summary(summary).addTag("health")
                .responses(OASFactory.createAPIResponses()
                        .addAPIResponse("200", OASFactory.createAPIResponse().description("UP").content(report))
                        .addAPIResponse("503", OASFactory.createAPIResponse().description("DOWN").content(report)));
    }

    private static void addRequestId(Operation operation) {
        List<org.eclipse.microprofile.openapi.models.parameters.Parameter> parameters = operation
                .getParameters() == null ? new ArrayList<>() : new ArrayList<>(operation.getParameters());
        parameters.add(OASFactory.createParameter().ref(REQUEST_ID));
        operation.setParameters(parameters);
    }

    /** A reference to a shared response gets the headers where the shared response is defined. */
    private static void addEveryResponseHeader(org.eclipse.microprofile.openapi.models.responses.APIResponse response) {
        if (response.getRef() != null) {
            return;
        }
        Map<String, org.eclipse.microprofile.openapi.models.headers.Header> headers = response.getHeaders();
        for (String name : EVERY_RESPONSE) {
            if (headers == null || !headers.containsKey(name)) {
                response.addHeader(name, OASFactory.createHeader().ref(name));
            }
        }
    }
}
