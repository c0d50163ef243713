package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 §4, raw sockets (the edge cases real clients hit but HTTP libraries will not send):
 * a body announced and not sent, headers over Jetty's limit.
 */
class ServerEdgesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;
    static final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    static final Logger SERVER_LOG = Logger.getLogger("dev.codellm.server");
    static final Handler CAPTURE = new Handler() {
        @Override public void publish(LogRecord r) { logged.add(r); }
        @Override public void flush() {}
        @Override public void close() {}
    };

    @BeforeAll
    static void start() {
        SERVER_LOG.addHandler(CAPTURE);
        server = TestServer.withFake(new FakeBatchBackend(512, 0, 0), 2, 8, ServerOptions.defaults().withMaxBodyBytes(64L << 20));
    }

    @AfterAll
    static void stop() {
        server.close();
        SERVER_LOG.removeHandler(CAPTURE);
    }

    int port() {
        return server.server.port();
    }

    @Test
    void aBodyAnnouncedButCutShortIsAClientDisconnectNotAServerError() throws Exception {
        long before499 = server.metrics.requestCount("/v1/completions", GenerationRunner.CLIENT_CLOSED_REQUEST);
        try (Socket s = new Socket("127.0.0.1", port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + (50L << 20)
                    + "\r\n\r\n{\"prompt\": \"" + "a".repeat(10_000)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } // closed with 50 MB still to come
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.metrics.requestCount("/v1/completions", GenerationRunner.CLIENT_CLOSED_REQUEST) == before499 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before499 + 1, server.metrics.requestCount("/v1/completions", GenerationRunner.CLIENT_CLOSED_REQUEST));
        assertEquals(0, server.metrics.requestCount("/v1/completions", 500));
        assertTrue(logged.stream().noneMatch(r -> r.getThrown() != null), "no stack trace logged: " + logged.stream().map(LogRecord::getMessage).toList());
        assertEquals(200, server.post("/v1/completions", "{\"prompt\": \"still here\", \"max_tokens\": 2}").statusCode());
    }

    @Test
    void aHeaderOverTheLimitGetsTheJsonErrorObjectNotJettysHtml() throws Exception {
        String response = raw("GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(64 * 1024) + "\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 431"), response.lines().findFirst().orElse(""));
        String headers = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        assertTrue(headers.contains("content-type: application/json"), headers);
        JsonNode err = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4)).get("error");
        assertNotNull(err, response);
        assertTrue(err.get("message").asText().contains("too large"), err.toString());
        assertEquals("invalid_request_error", err.get("type").asText());
        assertTrue(err.has("param") && err.has("code"));
    }

    @Test
    void aMalformedRequestLineGetsTheJsonErrorObject() throws Exception {
        String response = raw("GARBAGE\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400"), response);
        assertNotNull(JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4)).get("error"), response);
    }

    /** Sends bytes as they are and reads the whole answer (the server closes the connection). */
    String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] b = new byte[8192];
            for (int n; (n = in.read(b)) > 0; ) buf.write(b, 0, n);
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
