package dev.posts.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

/**
 * The generated description against the contract, row by row: the tables below are API.md's endpoint, error and header
 * tables written out per operation, so a row the document lacks fails with its name.
 */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class OpenApiTest {

    /** One row of the endpoint table, with the statuses the error table gives that operation. */
    record Row(String method, String path, boolean bearer, String success, Set<String> errors, Set<String> query,
            Set<String> requestHeaders, Map<String, Set<String>> responseHeaders, Set<String> bodyTypes) {
    }

    private static final String JSON = "application/json";
    private static final String MERGE_PATCH = "application/merge-patch+json";

    /** Every write: bad input, no token, the database away. */
    private static final Set<String> WRITE = Set.of("400", "401", "503");

    static final List<Row> ENDPOINTS = List.of(
            new Row("get", "/posts", false, "200", Set.of("400", "503"),
                    Set.of("limit", "cursor", "author"), Set.of(), Map.of(), Set.of()),
            new Row("get", "/posts/{id}", false, "200", Set.of("304", "400", "404", "503"),
                    Set.of(), Set.of("If-None-Match"),
                    Map.of("200", Set.of("ETag", "X-Cache"), "304", Set.of("ETag", "X-Cache")), Set.of()),
            new Row("post", "/posts", true, "201", union(WRITE, "413", "415", "422"),
                    Set.of(), Set.of("Idempotency-Key"), Map.of("201", Set.of("Location", "ETag")), Set.of(JSON)),
            new Row("put", "/posts/{id}", true, "200", union(WRITE, "403", "404", "412", "413", "415"),
                    Set.of(), Set.of("If-Match"), Map.of("200", Set.of("ETag")), Set.of(JSON)),
            new Row("patch", "/posts/{id}", true, "200", union(WRITE, "403", "404", "412", "413", "415"),
                    Set.of(), Set.of("If-Match"), Map.of("200", Set.of("ETag")), Set.of(MERGE_PATCH, JSON)),
            new Row("delete", "/posts/{id}", true, "204", union(WRITE, "403", "404", "412"),
                    Set.of(), Set.of("If-Match"), Map.of(), Set.of()));

    /** What a client may send: the rest is the server's, and refused. */
    static final Set<String> BODY_FIELDS = Set.of("content", "title");

    /** The operations table's public rows: each health check answers 200 when UP and 503 when DOWN. */
    static final List<String> HEALTH = List.of("/q/health/live", "/q/health/ready", "/q/health/started");
    /** Only on the management interface, which the public listener never serves. */
    static final List<String> NOT_PUBLIC = List.of("/q/metrics");

    /** Headers on every response, and the request header the first of them echoes. */
    static final Set<String> EVERY_RESPONSE = Set.of("X-Served-By", "X-Request-Id");
    static final Set<String> EVERY_REQUEST = Set.of("X-Request-Id");

    /** Headers the error table ties to a status, whichever operation answers it. */
    static final Map<String, Set<String>> BY_STATUS = Map.of("401", Set.of("WWW-Authenticate"),
            "503", Set.of("Retry-After"));

    /** The resource table, and the page {@code GET /posts} answers. */
    static final Map<String, String> POST_FIELDS = Map.of("id", "integer", "title", "string", "content", "string",
            "author", "string", "createdAt", "string", "updatedAt", "string", "version", "integer");
    static final Map<String, String> PAGE_FIELDS = Map.of("items", "array", "nextCursor", "string");

    /** RFC 9457's members and the field list of a validation failure. */
    static final Map<String, String> PROBLEM_FIELDS = Map.of("type", "string", "title", "string", "status",
            "integer", "detail", "string", "instance", "string", "errors", "array");
    static final Map<String, String> FIELD_ERROR_FIELDS = Map.of("field", "string", "message", "string");

    private JsonNode document;
    private final List<String> missing = new ArrayList<>();

    @BeforeEach
    void fetchDocument() throws Exception {
        String body = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract()
                .asString();
        document = new ObjectMapper().readTree(body);
    }

    @Test
    void describesEveryRowOfTheEndpointTable() {
        for (Row row : ENDPOINTS) {
            String op = row.method().toUpperCase() + " " + row.path();
            JsonNode operation = document.path("paths").path(row.path()).path(row.method());
            if (operation.isMissingNode()) {
                missing.add(op);
                continue;
            }
            Set<String> statuses = union(row.errors(), row.success());
            JsonNode responses = operation.path("responses");
            for (String status : statuses) {
                JsonNode response = resolve(responses.path(status));
                if (response.isMissingNode()) {
                    missing.add(op + " " + status);
                    continue;
                }
                Set<String> headers = new TreeSet<>(EVERY_RESPONSE);
                headers.addAll(row.responseHeaders().getOrDefault(status, Set.of()));
                headers.addAll(BY_STATUS.getOrDefault(status, Set.of()));
                for (String header : headers) {
                    if (resolve(response.path("headers").path(header)).isMissingNode()) {
                        missing.add(op + " " + status + " header " + header);
                    }
                }
                if (status.compareTo("400") >= 0) {
                    checkProblem(op + " " + status, response);
                }
            }
            responses.fieldNames().forEachRemaining(status -> {
                if (!statuses.contains(status)) {
                    missing.add(op + " declares " + status + ", which the contract does not give it");
                }
            });
            Set<String> queries = parameters(operation, "query");
            for (String name : row.query()) {
                if (!queries.contains(name)) {
                    missing.add(op + " query " + name);
                }
            }
            Set<String> headers = parameters(operation, "header");
            for (String name : union(row.requestHeaders(), EVERY_REQUEST.toArray(String[]::new))) {
                if (!headers.contains(name)) {
                    missing.add(op + " request header " + name);
                }
            }
            JsonNode content = operation.path("requestBody").path("content");
            for (String type : row.bodyTypes()) {
                if (content.path(type).isMissingNode()) {
                    missing.add(op + " body " + type);
                    continue;
                }
                Set<String> fields = new TreeSet<>();
                resolve(content.path(type).path("schema")).path("properties").fieldNames()
                        .forEachRemaining(fields::add);
                if (!fields.equals(BODY_FIELDS)) {
                    missing.add(op + " body " + type + " of " + BODY_FIELDS + ", not " + fields);
                }
            }
            boolean secured = operation.path("security").size() > 0;
            if (secured != row.bearer()) {
                missing.add(op + (row.bearer() ? " bearer token requirement" : " is public, not secured"));
            }
        }
        assertEquals(List.of(), missing, "rows of API.md that /q/openapi does not describe");
    }

    @Test
    void describesTheOperationsEndpointsThatThePublicListenerServes() {
        for (String path : HEALTH) {
            JsonNode responses = document.path("paths").path(path).path("get").path("responses");
            for (String status : List.of("200", "503")) {
                JsonNode response = resolve(responses.path(status));
                if (response.isMissingNode()) {
                    missing.add("GET " + path + " " + status);
                    continue;
                }
                for (String header : EVERY_RESPONSE) {
                    if (resolve(response.path("headers").path(header)).isMissingNode()) {
                        missing.add("GET " + path + " " + status + " header " + header);
                    }
                }
            }
        }
        for (String path : NOT_PUBLIC) {
            if (document.path("paths").has(path)) {
                missing.add(path + " is described, but is not public");
            }
        }
        assertEquals(List.of(), missing, "operations endpoints of API.md that /q/openapi does not describe");
    }

    @Test
    void describesTheResourceAndProblemBodies() {
        checkSchema("post", postSchema(), POST_FIELDS);
        JsonNode id = resolve(postSchema().path("properties").path("id"));
        if (!id.path("format").asText().equals("int64")) {
            missing.add("post id format int64");
        }
        for (String stamp : List.of("createdAt", "updatedAt")) {
            if (!resolve(postSchema().path("properties").path(stamp)).path("format").asText().equals("date-time")) {
                missing.add("post " + stamp + " format date-time");
            }
        }
        JsonNode page = resolve(schemaOf(document.at("/paths/~1posts/get/responses/200"), JSON));
        checkSchema("page", page, PAGE_FIELDS);
        JsonNode problem = resolve(document.at("/components/schemas/Problem"));
        checkSchema("problem", problem, PROBLEM_FIELDS);
        checkSchema("problem errors[]", resolve(problem.path("properties").path("errors").path("items")),
                FIELD_ERROR_FIELDS);
        assertEquals(List.of(), missing, "bodies of API.md that /q/openapi does not describe");
    }

    @Test
    void servesSwaggerUi() {
        given().redirects().follow(true).get("/q/swagger-ui/").then().statusCode(200);
    }

    private JsonNode postSchema() {
        return resolve(schemaOf(document.at("/paths/~1posts~1{id}/get/responses/200"), JSON));
    }

    private void checkProblem(String where, JsonNode response) {
        JsonNode schema = schemaOf(response, Problem.MEDIA_TYPE);
        if (!schema.path("$ref").asText().equals("#/components/schemas/Problem")) {
            missing.add(where + " as " + Problem.MEDIA_TYPE + " Problem");
        }
    }

    private void checkSchema(String what, JsonNode schema, Map<String, String> fields) {
        if (schema.isMissingNode()) {
            missing.add(what + " schema");
            return;
        }
        fields.forEach((name, type) -> {
            JsonNode property = resolve(schema.path("properties").path(name));
            if (property.isMissingNode()) {
                missing.add(what + " field " + name);
            } else if (!typeOf(property).contains(type)) {
                missing.add(what + " field " + name + " of type " + type + ", not " + typeOf(property));
            }
        });
    }

    /** OpenAPI 3.1 spells a type as a string or, for a nullable one, as a list of strings. */
    private static Set<String> typeOf(JsonNode property) {
        Set<String> types = new TreeSet<>();
        JsonNode type = property.path("type");
        if (type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        } else if (type.isTextual()) {
            types.add(type.asText());
        }
        return types;
    }

    private JsonNode schemaOf(JsonNode response, String mediaType) {
        return resolve(response).path("content").path(mediaType).path("schema");
    }

    private Set<String> parameters(JsonNode operation, String in) {
        Set<String> names = new TreeSet<>();
        for (JsonNode parameter : operation.path("parameters")) {
            JsonNode resolved = resolve(parameter);
            if (resolved.path("in").asText().equals(in)) {
                names.add(resolved.path("name").asText());
            }
        }
        return names;
    }

    /** A node, or what its {@code $ref} points to within the document. */
    private JsonNode resolve(JsonNode node) {
        JsonNode at = node;
        for (int hops = 0; at.has("$ref") && hops < 8; hops++) {
            String ref = at.path("$ref").asText();
            at = ref.startsWith("#") ? document.at(ref.substring(1)) : MissingNode.getInstance();
        }
        return at;
    }

    private static Set<String> union(Set<String> set, String... more) {
        Set<String> all = new TreeSet<>(set);
        all.addAll(List.of(more));
        return all;
    }
}
