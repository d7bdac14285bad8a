package io.sluice.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers before a request reaches the API (a malformed URI, a NUL in the
 * path, an oversized header) get the API's JSON error shape instead of an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() >= 400 ? response.getStatus() : 400;
        String code = status == 404 ? "not_found" : status >= 500 ? "internal" : "bad_request";
        String message = status >= 500 ? "internal error (the server log has the details)" : "the request is malformed (HTTP " + status + ")";
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        String body = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
