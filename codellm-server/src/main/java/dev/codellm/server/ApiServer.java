package dev.codellm.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The OpenAI-compatible HTTP server (Javalin 7 on Jetty 12, one virtual thread per request).
 * Routes: GET /v1/models, POST /v1/completions, POST /v1/chat/completions, and llama.cpp's
 * POST /infill, /tokenize, /detokenize, GET /health, /metrics. Every failure is answered as an
 * OpenAI error object; nothing a client sends can take the server down.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

    private final InferenceService service;
    private final ServerOptions options;
    private final Metrics metrics;
    private final String modelName;
    private final long createdAt = System.currentTimeMillis() / 1000;
    private final OpenAiHandlers openAi;
    private final LlamaCppHandlers llamaCpp;
    private Javalin app;
    private volatile boolean stopped;

    public ApiServer(InferenceService service, ServerOptions options, Metrics metrics) {
        this.service = service;
        this.options = options;
        this.metrics = metrics;
        this.modelName = service.info().name();
        PlanParser parser = new PlanParser(service, modelName);
        GenerationRunner runner = new GenerationRunner(service, options.requestTimeout());
        this.openAi = new OpenAiHandlers(parser, runner, modelName);
        this.llamaCpp = new LlamaCppHandlers(service, parser, runner, modelName);
    }

    public ApiServer start() {
        app = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = options.maxBodyBytes();
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            // We stop Jetty ourselves after draining (SIGTERM → stop()), not from Jetty's own hook.
            cfg.jetty.modifyServer(server -> server.setStopAtShutdown(false));
            cfg.routes.get("/v1/models", route("/v1/models", true, this::models));
            cfg.routes.get("/v1/models/{id}", route("/v1/models/{id}", true, this::model));
            cfg.routes.post("/v1/completions", route("/v1/completions", true, openAi::completions));
            cfg.routes.post("/v1/chat/completions", route("/v1/chat/completions", true, openAi::chat));
            cfg.routes.post("/infill", route("/infill", true, llamaCpp::infill));
            cfg.routes.post("/tokenize", route("/tokenize", true, llamaCpp::tokenize));
            cfg.routes.post("/detokenize", route("/detokenize", true, llamaCpp::detokenize));
            cfg.routes.get("/health", route("/health", false, llamaCpp::health));
            cfg.routes.get("/metrics", route("/metrics", true, this::metricsText));
            cfg.routes.error(404, ctx -> {
                if (ctx.attribute("codellm.answered") != null) return;
                metrics.request("unknown", 404);
                writeError(ctx, ApiError.notFound("Unknown route: " + ctx.method() + " " + ctx.path()));
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> writeError(ctx, HttpJson.toApiError(e)));
        });
        try {
            app.start(options.host(), options.port());
        } catch (io.javalin.util.JavalinBindException e) {
            throw new dev.codellm.core.CodellmException("cannot listen on " + options.host() + ":" + options.port()
                    + " (port in use or not allowed): " + e.getMessage(), e);
        }
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    public Metrics metrics() {
        return metrics;
    }

    /**
     * Graceful stop: new generations get 503, running and queued ones have the shutdown grace to
     * finish (then are cancelled, streams ending cleanly), then the listener closes.
     */
    public synchronized void stop() {
        if (stopped) return;
        stopped = true;
        service.drain(options.shutdownGrace());
        // Every generation has ended now; give the request threads time to write their last
        // chunk and [DONE] before Jetty closes the connections.
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (metrics.inFlight() > 0 && System.nanoTime() < until) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (app != null) app.stop();
    }

    @Override
    public void close() {
        stop();
    }

    /** Auth, metrics and error mapping around a route. */
    private Handler route(String name, boolean needsKey, Handler handler) {
        return ctx -> {
            ctx.attribute("codellm.answered", Boolean.TRUE);
            metrics.requestStarted();
            try {
                if (needsKey) checkKey(ctx);
                handler.handle(ctx);
            } catch (Exception | StackOverflowError e) {
                ApiError err = HttpJson.toApiError(e);
                if (err.status() >= 500) LOG.log(Level.WARNING, "request to " + name + " failed", e);
                writeError(ctx, err);
            } finally {
                ClientWatch.stop(ctx);
                metrics.requestEnded();
                metrics.request(name, ctx.statusCode());
            }
        };
    }

    private void checkKey(Context ctx) {
        if (options.apiKey() == null) return;
        String auth = ctx.header("Authorization");
        String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : "";
        boolean ok = MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), options.apiKey().getBytes(StandardCharsets.UTF_8));
        if (!ok) throw ApiError.unauthorized();
    }

    private static void writeError(Context ctx, ApiError e) {
        if (ctx.res().isCommitted()) return; // a stream already started; its handler reported the error in-band
        if (e.retryAfterSeconds() != null) ctx.header("Retry-After", e.retryAfterSeconds().toString());
        if (e.status() == 401) ctx.header("WWW-Authenticate", "Bearer");
        try {
            HttpJson.send(ctx, e.status(), ResponseJson.error(e));
        } catch (Exception ignored) {
            ctx.status(e.status());
        }
    }

    private void models(Context ctx) throws Exception {
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        data.add(modelObject());
        HttpJson.send(ctx, 200, root);
    }

    private void model(Context ctx) throws Exception {
        if (!modelName.equals(ctx.pathParam("id"))) {
            throw new ApiError(404, "invalid_request_error", "The model '" + ctx.pathParam("id") + "' does not exist.", "model", "model_not_found", null);
        }
        HttpJson.send(ctx, 200, modelObject());
    }

    private ObjectNode modelObject() {
        ObjectNode m = ResponseJson.MAPPER.createObjectNode();
        m.put("id", modelName);
        m.put("object", "model");
        m.put("created", createdAt);
        m.put("owned_by", "codellm");
        ObjectNode meta = m.putObject("meta");
        meta.put("n_ctx", service.info().contextLength());
        meta.put("supports_infill", service.info().supportsInfill());
        meta.put("chat_template", service.info().chatTemplate());
        return m;
    }

    private void metricsText(Context ctx) throws java.io.IOException {
        ctx.status(200);
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
        HttpJson.writeNow(ctx, metrics.render(service).getBytes(StandardCharsets.UTF_8));
    }
}
