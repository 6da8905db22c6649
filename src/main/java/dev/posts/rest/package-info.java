/**
 * The API: resources, request parsing and problem responses. The API description's shared parts are defined here, once:
 * the headers and error responses many operations give and the request headers they read.
 */
@OpenAPIDefinition(info = @Info(title = "Posts API", version = "1.0"), components = @Components(headers = {
        @Header(name = ApiDescription.SERVED_BY, description = "The replica that answered", schema = @Schema(type = SchemaType.STRING)),
        @Header(name = ApiDescription.REQUEST_ID, description = "The request's X-Request-Id if it was sane, else a new id; every log line of the request carries it", schema = @Schema(type = SchemaType.STRING)),
        @Header(name = ApiDescription.ETAG, description = "The post's version in quotes: \"<version>\"", schema = @Schema(type = SchemaType.STRING)),
        @Header(name = ApiDescription.X_CACHE, description = "HIT, MISS or BYPASS (cache unavailable)", schema = @Schema(type = SchemaType.STRING, enumeration = {
                "HIT", "MISS", "BYPASS"})),
        @Header(name = ApiDescription.LOCATION, description = "/posts/{id}", schema = @Schema(type = SchemaType.STRING)),
        @Header(name = ApiDescription.IDEMPOTENT_REPLAYED, description = "true on the replayed answer to a retry", schema = @Schema(type = SchemaType.STRING)),
        @Header(name = ApiDescription.RETRY_AFTER, description = "Seconds to wait before retrying", schema = @Schema(type = SchemaType.INTEGER)),
        @Header(name = ApiDescription.WWW_AUTHENTICATE, description = "Bearer, with error=\"invalid_token\" when a token was sent", schema = @Schema(type = SchemaType.STRING))}, parameters = {
                @Parameter(name = ApiDescription.REQUEST_ID, in = ParameterIn.HEADER, description = "An id to echo and log with the request; replaced unless sane", schema = @Schema(type = SchemaType.STRING)),
                @Parameter(name = ApiDescription.IF_MATCH, in = ParameterIn.HEADER, description = "* or the tags of the versions the write may change; any other gives 412 and changes nothing", schema = @Schema(type = SchemaType.STRING)),
                @Parameter(name = ApiDescription.IF_NONE_MATCH, in = ParameterIn.HEADER, description = "The tag of the version the caller holds; if it is current the answer is 304", schema = @Schema(type = SchemaType.STRING)),
                @Parameter(name = ApiDescription.IDEMPOTENCY_KEY, in = ParameterIn.HEADER, description = "1 to 255 printable ASCII characters; a retry with the same key and body within 24 hours gets the first answer again", schema = @Schema(type = SchemaType.STRING, minLength = 1, maxLength = 255))}, responses = {
                        @APIResponse(name = ApiDescription.BAD_REQUEST, description = "Invalid path, query, header or body; errors lists each field", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDescription.UNAUTHORIZED, description = "No bearer token, or one that is not valid here", headers = @Header(name = ApiDescription.WWW_AUTHENTICATE, ref = ApiDescription.WWW_AUTHENTICATE), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDescription.FORBIDDEN, description = "The caller is not the author of the post", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDescription.NOT_FOUND, description = "No such post", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDescription.PRECONDITION_FAILED, description = "If-Match does not name the current version, whose tag ETag gives; nothing was changed", headers = @Header(name = ApiDescription.ETAG, ref = ApiDescription.ETAG), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDescription.TOO_LARGE, description = "Body over the size limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDescription.UNSUPPORTED_TYPE, description = "Content type not supported", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDescription.KEY_REUSED, description = "This Idempotency-Key was first used with another body", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                        @APIResponse(name = ApiDescription.UNAVAILABLE, description = "Database unreachable; nothing was half-written; retry after Retry-After seconds", headers = @Header(name = ApiDescription.RETRY_AFTER, ref = ApiDescription.RETRY_AFTER), content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))}))
package dev.posts.rest;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
