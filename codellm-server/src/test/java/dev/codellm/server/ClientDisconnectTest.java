package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.FinishReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A client that closes its connection frees its slot (or queue place) at once, whether it asked
 * for a full answer or a stream, and connections that stay open keep working as before.
 */
class ClientDisconnectTest {
    /** Long answers (~3,200 tokens at 2 ms a step, ~6 s): a generation runs until it is cancelled. */
    private static FakeBatchBackend slowModel() {
        return new FakeBatchBackend(8192, 2000, 0, 200);
    }

    private static Socket send(TestServer server, String path, String body) throws IOException {
        Socket s = new Socket("127.0.0.1", server.server.port());
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
        return s;
    }

    private static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, "timed out after " + millis + " ms waiting for: " + what);
            Thread.sleep(2);
        }
    }

    @Test
    void nonStreamingClientThatClosesIsCancelledAtOnce() throws Exception {
        FakeBatchBackend model = slowModel();
        try (TestServer server = TestServer.withFake(model, 2, 4, ServerOptions.defaults())) {
            Socket client = send(server, "/v1/completions", "{\"prompt\": \"cancel me\", \"max_tokens\": 3000}");
            await("the generation to run", 10_000, () -> model.steps.get() >= 20);
            assertEquals(1, server.service.busySlots());
            client.close();
            long closedAt = System.nanoTime();
            await("the slot to be freed", 2_000, () -> server.service.busySlots() == 0);
            long freedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
            // (the slot is freed just before the job is counted)
            await("the job to be counted as cancelled", 2_000, () -> server.metrics.finishedJobs(FinishReason.CANCELLED) == 1);
            long generated = server.metrics.completionTokens(FinishReason.CANCELLED);
            assertTrue(generated > 0 && generated < 3000, "cancelled after " + generated + " tokens");
            int steps = model.steps.get();
            Thread.sleep(200);
            assertEquals(steps, model.steps.get(), "decoding went on after the client left");
            assertEquals(0, model.liveSequences.get(), "the KV sequence was not released");
            await("the request to be counted as 499", 2_000, () -> server.metrics.requestCount("/v1/completions", 499) == 1);
            assertTrue(freedMillis < 2_000, "freed after " + freedMillis + " ms");

            // the server goes on serving
            var ok = server.post("/v1/completions", "{\"prompt\": \"next\", \"max_tokens\": 5}");
            assertEquals(200, ok.statusCode(), ok.body());
        }
    }

    @Test
    void queuedClientsThatCloseLeaveTheQueueAndStreamsAreCancelledBeforeTheirFirstToken() throws Exception {
        FakeBatchBackend model = slowModel();
        try (TestServer server = TestServer.withFake(model, 1, 4, ServerOptions.defaults())) {
            Socket running = send(server, "/v1/completions", "{\"prompt\": \"hold the slot\", \"max_tokens\": 3000}");
            await("the first generation to run", 10_000, () -> model.steps.get() >= 5);
            Socket waitingFull = send(server, "/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"wait\"}], \"max_tokens\": 3000}");
            Socket waitingStream = send(server, "/v1/completions", "{\"prompt\": \"wait too\", \"max_tokens\": 3000, \"stream\": true}");
            await("two requests queued", 5_000, () -> server.service.queueDepth() == 2);
            waitingFull.close();
            waitingStream.close();
            await("the queue to empty", 2_000, () -> server.service.queueDepth() == 0);
            await("both counted as cancelled", 2_000, () -> server.metrics.finishedJobs(FinishReason.CANCELLED) == 2);
            assertEquals(1, server.service.busySlots(), "the connected client's generation goes on");

            running.close();
            await("the running slot to be freed", 2_000, () -> server.service.busySlots() == 0);
            await("all three counted as cancelled", 2_000, () -> server.metrics.finishedJobs(FinishReason.CANCELLED) == 3);
            assertEquals(0, model.liveSequences.get());
        }
    }

    @Test
    void streamingClientThatClosesIsCancelledAtOnce() throws Exception {
        FakeBatchBackend model = slowModel();
        try (TestServer server = TestServer.withFake(model, 2, 4, ServerOptions.defaults())) {
            Socket client = send(server, "/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"stream\"}], \"max_tokens\": 3000, \"stream\": true}");
            InputStream in = client.getInputStream();
            assertTrue(new String(in.readNBytes(200), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
            client.close();
            await("the slot to be freed", 2_000, () -> server.service.busySlots() == 0);
            await("the job to be counted as cancelled", 2_000, () -> server.metrics.finishedJobs(FinishReason.CANCELLED) == 1);
            assertTrue(server.metrics.completionTokens(FinishReason.CANCELLED) < 3000);
        }
    }

    /** The watch must hand the connection back to Jetty: several requests on one keep-alive connection. */
    @Test
    void keepAliveConnectionsServeOneRequestAfterAnother() throws Exception {
        FakeBatchBackend model = new FakeBatchBackend(1024, 0, 0);
        try (TestServer server = TestServer.withFake(model, 2, 4, ServerOptions.defaults());
             Socket s = new Socket("127.0.0.1", server.server.port())) {
            s.setSoTimeout(20_000);
            for (int i = 0; i < 3; i++) {
                String prompt = "again " + i;
                String stream = i == 1 ? ", \"stream\": true" : "";
                byte[] b = ("{\"prompt\": \"" + prompt + "\", \"max_tokens\": 50" + stream + "}").getBytes(StandardCharsets.UTF_8);
                s.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + b.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(b);
                s.getOutputStream().flush();
                String response = readResponse(s.getInputStream());
                assertTrue(response.startsWith("HTTP/1.1 200"), response);
                String expected = FakeBatchBackend.answer(model.completionPrompt(prompt));
                // a stream sends the answer a token (here a byte) per event; a full answer holds it whole
                String mark = i == 1 ? "data: [DONE]" : expected.substring(0, expected.indexOf(' ', 1));
                assertTrue(response.contains(mark), "answer " + i + " lacks " + mark + ": " + response);
            }
        }
    }

    /** One HTTP/1.1 response: headers, then a Content-Length body or chunks up to the last one. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new IOException("connection closed in the headers: " + head);
            head.write(c);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        var m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(headers);
        if (m.find()) return headers + new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
        StringBuilder body = new StringBuilder();
        while (true) {
            String sizeLine = line(in);
            int size = Integer.parseInt(sizeLine.trim(), 16);
            byte[] chunk = in.readNBytes(size);
            line(in);
            if (size == 0) return headers + body;
            body.append(new String(chunk, StandardCharsets.UTF_8));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("connection closed");
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
