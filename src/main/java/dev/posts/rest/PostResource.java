package dev.posts.rest;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.posts.service.Creation;
import dev.posts.service.PostDocument;
import dev.posts.service.PostInput;
import dev.posts.service.PostPageBody;
import dev.posts.service.PostReads;
import dev.posts.service.PostView;
import dev.posts.service.PostWrites;

/** The {@code /posts} rows of the API table; each method only shapes HTTP around one service call. */
@Path("/posts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "posts")
public class PostResource {

    static final String MERGE_PATCH_JSON = "application/merge-patch+json";
    static final String X_CACHE = "X-Cache";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    private final PostReads reads;
    private final PostWrites posts;
    private final RequestAdmission admission;

    PostResource(PostReads reads, PostWrites posts, RequestAdmission admission) {
        this.reads = reads;
        this.posts = posts;
        this.admission = admission;
    }

    @GET
    @Operation(summary = "A page of posts, newest first", description = "Keyset paging: follow nextCursor until it is null.")
    @APIResponse(responseCode = "200", description = "A page", content = @Content(schema = @Schema(implementation = PostPageBody.class)))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Posts per page, 1 to 100", schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100", defaultValue = "20"))
    @Parameter(name = "cursor", in = ParameterIn.QUERY, description = "nextCursor of the previous page", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "author", in = ParameterIn.QUERY, description = "Only this author's posts", schema = @Schema(type = SchemaType.STRING))
    public Uni<Response> list(@Context UriInfo uri, @Context RoutingContext rc) {
        return reads.page(RequestParams.pageQuery(uri.getQueryParameters()))
                .map(json -> Response.ok(admission.body(rc, json), MediaType.APPLICATION_JSON_TYPE).build());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One post", description = "ETag is the version; If-None-Match with it answers 304.")
    @Parameter(ref = ApiDescription.IF_NONE_MATCH)
    @APIResponse(responseCode = "200", description = "The post", headers = {
            @Header(name = ApiDescription.ETAG, ref = ApiDescription.ETAG),
            @Header(name = X_CACHE, ref = ApiDescription.X_CACHE)}, content = @Content(schema = @Schema(implementation = PostView.class)))
    @APIResponse(responseCode = "304", description = "If-None-Match names the current version", headers = {
            @Header(name = ApiDescription.ETAG, ref = ApiDescription.ETAG),
            @Header(name = X_CACHE, ref = ApiDescription.X_CACHE)})
    @APIResponse(responseCode = "404", ref = ApiDescription.NOT_FOUND)
    public Uni<Response> get(@PathParam("id") String id, @Context HttpHeaders headers, @Context UriInfo uri,
            @Context RoutingContext rc) {
        long postId = RequestParams.postId(id);
        return reads.get(postId).map(read -> {
            PostDocument post = read.post();
            Response.ResponseBuilder response;
            if (post == null) {
                response = Problems.response(Response.Status.NOT_FOUND, Problems.noSuchPost(postId), uri, null);
            } else if (EntityTags.noneMatchFails(headers, post.version())) {
                response = Response.notModified(EntityTags.of(post.version()));
            } else {
                response = Response.ok(admission.body(rc, post.json()), MediaType.APPLICATION_JSON_TYPE)
                        .tag(EntityTags.of(post.version()));
            }
            return response.header(X_CACHE, read.source().name()).build();
        });
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a post", description = "The author is the token's subject. A retry with the same Idempotency-Key and body within 24 hours gets the first answer again.")
    @Parameter(ref = ApiDescription.IDEMPOTENCY_KEY)
    @APIResponse(responseCode = "201", description = "Created", headers = {
            @Header(name = ApiDescription.LOCATION, ref = ApiDescription.LOCATION),
            @Header(name = ApiDescription.ETAG, ref = ApiDescription.ETAG),
            @Header(name = IDEMPOTENT_REPLAYED, ref = ApiDescription.IDEMPOTENT_REPLAYED)}, content = @Content(schema = @Schema(implementation = PostView.class)))
    @APIResponse(responseCode = "413", ref = ApiDescription.TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDescription.UNSUPPORTED_TYPE)
    @APIResponse(responseCode = "422", ref = ApiDescription.KEY_REUSED)
    @Authenticated
    public Response create(@Valid @NotNull(message = "is required") PostInput body,
            @Context HttpHeaders headers, @Context SecurityContext security) {
        // Read raw: an empty header must be refused, not taken for an absent one.
        String key = RequestParams.idempotencyKey(headers.getRequestHeader(IDEMPOTENCY_KEY));
        Creation created = posts.create(Callers.author(security), body, key);
        Response.ResponseBuilder response = Response.status(Response.Status.CREATED)
                .header(HttpHeaders.LOCATION, "/posts/" + created.id())
                .tag(EntityTags.of(1))
                .entity(created.json())
                .type(MediaType.APPLICATION_JSON_TYPE);
        if (created.replayed()) {
            response.header(IDEMPOTENT_REPLAYED, "true");
        }
        return response.build();
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a post's title and content", description = "Only its author may; If-Match is optional.")
    @Parameter(ref = ApiDescription.IF_MATCH)
    @APIResponse(responseCode = "200", description = "Replaced", headers = @Header(name = ApiDescription.ETAG, ref = ApiDescription.ETAG), content = @Content(schema = @Schema(implementation = PostView.class)))
    @APIResponse(responseCode = "403", ref = ApiDescription.FORBIDDEN)
    @APIResponse(responseCode = "404", ref = ApiDescription.NOT_FOUND)
    @APIResponse(responseCode = "412", ref = ApiDescription.PRECONDITION_FAILED)
    @APIResponse(responseCode = "413", ref = ApiDescription.TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDescription.UNSUPPORTED_TYPE)
    @Authenticated
    public Response replace(@PathParam("id") String id, @Context HttpHeaders headers,
            @Valid @NotNull(message = "is required") PostInput body, @Context SecurityContext security) {
        long postId = RequestParams.postId(id);
        return ok(posts.replace(postId, body, EntityTags.write(headers), Callers.author(security)));
    }

    @PATCH
    @Path("{id}")
    @Consumes({MERGE_PATCH_JSON, MediaType.APPLICATION_JSON})
    @Operation(summary = "Change a post's title and/or content", description = "A JSON merge patch; only its author may; If-Match is optional.")
    @Parameter(ref = ApiDescription.IF_MATCH)
    @APIResponse(responseCode = "200", description = "Changed", headers = @Header(name = ApiDescription.ETAG, ref = ApiDescription.ETAG), content = @Content(schema = @Schema(implementation = PostView.class)))
    @APIResponse(responseCode = "403", ref = ApiDescription.FORBIDDEN)
    @APIResponse(responseCode = "404", ref = ApiDescription.NOT_FOUND)
    @APIResponse(responseCode = "412", ref = ApiDescription.PRECONDITION_FAILED)
    @APIResponse(responseCode = "413", ref = ApiDescription.TOO_LARGE)
    @APIResponse(responseCode = "415", ref = ApiDescription.UNSUPPORTED_TYPE)
    @Authenticated
    public Response patch(@PathParam("id") String id, @Context HttpHeaders headers,
            @Schema(implementation = PostPatchBody.class) JsonNode body,
            @Context SecurityContext security) {
        long postId = RequestParams.postId(id);
        return ok(posts.patch(postId, MergePatches.read(body), EntityTags.write(headers), Callers.author(security)));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a post", description = "Only its author may; If-Match is optional.")
    @Parameter(ref = ApiDescription.IF_MATCH)
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "403", ref = ApiDescription.FORBIDDEN)
    @APIResponse(responseCode = "404", ref = ApiDescription.NOT_FOUND)
    @APIResponse(responseCode = "412", ref = ApiDescription.PRECONDITION_FAILED)
    @Authenticated
    public Response delete(@PathParam("id") String id, @Context HttpHeaders headers,
            @Context SecurityContext security) {
        posts.delete(RequestParams.postId(id), EntityTags.write(headers), Callers.author(security));
        return Response.noContent().build();
    }

    /** The {@code Allow} header of a 405 on one of this resource's paths. */
    static String allowedMethods(String path) {
        return path.matches("/?posts/?") ? "GET, POST" : "GET, PUT, PATCH, DELETE";
    }

    private static Response ok(PostView post) {
        return Response.ok(post).tag(EntityTags.of(post.version())).build();
    }

}
