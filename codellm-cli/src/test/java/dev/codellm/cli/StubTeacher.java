package dev.codellm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.codellm.core.io.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat endpoint for the data commands' tests: answers every seed with a distinct,
 * well-formed OSS-Instruct response (a function returning a number derived from the prompt),
 * after {@link #delayMs} milliseconds.
 */
final class StubTeacher implements AutoCloseable {
    final AtomicInteger requests = new AtomicInteger();
    volatile int delayMs;
    /** When set, every request is refused with HTTP 400 and this OpenAI error message (code model_not_found). */
    volatile String rejectWith;
    private final HttpServer server;

    StubTeacher(int delayMs) throws IOException {
        this.delayMs = delayMs;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.createContext("/v1/chat/completions", ex -> {
            requests.incrementAndGet();
            JsonNode req = Json.MAPPER.readTree(ex.getRequestBody());
            if (rejectWith != null) {
                var err = Json.MAPPER.createObjectNode();
                err.putObject("error").put("message", rejectWith).put("type", "invalid_request_error").put("code", "model_not_found");
                byte[] body = Json.MAPPER.writeValueAsBytes(err);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(400, body.length);
                ex.getResponseBody().write(body);
                ex.close();
                return;
            }
            try {
                Thread.sleep(this.delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            JsonNode messages = req.get("messages");
            int h = messages.get(messages.size() - 1).get("content").asText().hashCode() & 0xffff;  // the user turn
            var root = Json.MAPPER.createObjectNode();
            var choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", "[Problem Description]\nWrite function f" + h
                    + " that returns the number " + h + " for any input value given to it.\n\n[Solution]\n```python\ndef f" + h + "(x):\n    return " + h + "\n```\n");
            root.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5);
            byte[] body = Json.MAPPER.writeValueAsBytes(root);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    /** The base URL to give {@code --endpoint}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
