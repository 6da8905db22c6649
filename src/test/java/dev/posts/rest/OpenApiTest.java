package dev.posts.rest;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

/** The generated description names every operation of API.md with the statuses the API table gives. */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class OpenApiTest {

    @Test
    void describesEveryOperationAndItsStatuses() {
        var spec = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200);
        spec.body("paths", hasKey("/posts"));
        spec.body("paths", hasKey("/posts/{id}"));
        spec.body("paths.'/posts'.get.responses", hasKey("200"));
        spec.body("paths.'/posts'.get.responses", hasKey("400"));
        spec.body("paths.'/posts'.post.responses", hasKey("201"));
        spec.body("paths.'/posts'.post.responses", hasKey("413"));
        spec.body("paths.'/posts'.post.responses", hasKey("415"));
        spec.body("paths.'/posts/{id}'.get.responses", hasKey("304"));
        spec.body("paths.'/posts/{id}'.get.responses", hasKey("404"));
        spec.body("paths.'/posts/{id}'.put.responses", hasKey("412"));
        spec.body("paths.'/posts/{id}'.patch.requestBody.content", hasKey("application/merge-patch+json"));
        spec.body("paths.'/posts/{id}'.delete.responses", hasKey("204"));
        spec.body("paths.'/posts/{id}'.delete.responses", hasKey("403"));
        spec.body("paths.'/posts/{id}'.delete.responses", hasKey("503"));
        spec.body("components.schemas.Problem", notNullValue());
    }

    @Test
    void servesSwaggerUi() {
        given().redirects().follow(true).get("/q/swagger-ui/").then().statusCode(200);
    }
}
