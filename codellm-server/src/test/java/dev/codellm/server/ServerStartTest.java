package dev.codellm.server;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.CodellmException;
import dev.codellm.core.SharedData;
import dev.codellm.model.generate.GeneratorOptions;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Server#start} composes the whole server from a config, and closing it stops everything. */
class ServerStartTest {
    static ServerConfig config(Path model) {
        return new ServerConfig(model, new GeneratorOptions(256, "f32", null, null, 1), 2, 8,
                ServerOptions.defaults().withPort(0).withShutdownGrace(Duration.ofSeconds(1)));
    }

    @Test
    void startsServesAndStops() throws Exception {
        Path gguf = SharedData.require("models/stories260K/stories260K.gguf");
        HttpClient http = HttpClient.newHttpClient();
        URI health;
        try (Server server = Server.start(config(gguf))) {
            health = URI.create("http://127.0.0.1:" + server.port() + "/health");
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\"slots_idle\":2"), r.body());
            assertTrue(server.summary().contains("context 256"), server.summary());
        }
        assertThrows(ConnectException.class, () -> http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void aMissingModelIsOneClearError() {
        CodellmException e = assertThrows(CodellmException.class, () -> Server.start(config(Path.of("/nonexistent/model.gguf"))));
        assertTrue(e.getMessage().contains("model file not found"), e.getMessage());
    }

    @Test
    void badNumbersAreRefusedBeforeTheModelLoads() {
        assertThrows(IllegalArgumentException.class, () -> new ServerConfig(Path.of("x.gguf"), GeneratorOptions.DEFAULT, 0, 8, ServerOptions.defaults()));
    }
}
