package dev.codellm.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP server (Javalin 7 on Jetty 12, one virtual thread per request) speaking three
 * dialects over one scheduler: OpenAI's routes (with and without the {@code /v1} prefix),
 * llama-server's native ones, ollama's {@code /api/*}, plus the web UI at {@code /} and
 * {@code /metrics}. Every failure is answered as a JSON error object (OpenAI's shape; ollama's
 * {@code {"error": "..."}} on its routes); nothing a client sends can take the server down.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

    /** Largest request header block Jetty accepts (its default); larger ones get a JSON 431. */
    static final int MAX_HEADER_BYTES = 8192;

    private final InferenceService service;
    private final ServerOptions options;
    private final Metrics metrics;
    private final ServedModel model;
    private final String corsOrigin;
    private final long createdAt = System.currentTimeMillis() / 1000;
    private final OpenAiHandlers openAi;
    private final LlamaCppHandlers llamaCpp;
    private final EmbeddingHandlers embeddings;
    private final OllamaHandlers ollama;
    private final WebUi webUi = new WebUi();
    private Javalin app;
    private volatile boolean stopped;
    private RequestLog requestLog;

    /** A server for a backend known only by its {@code ModelInfo} (tests, a remote generator). */
    public ApiServer(InferenceService service, ServerOptions options, Metrics metrics) {
        this(service, options, metrics, ServedModel.of(service.info(), options.aliases(), service.embeddings() != null));
    }

    public ApiServer(InferenceService service, ServerOptions options, Metrics metrics, ServedModel model) {
        this.service = service;
        this.options = options;
        this.metrics = metrics;
        this.model = model;
        this.corsOrigin = options.effectiveCorsOrigin();
        this.requestLog = new RequestLog(options.requestLog(), System.err);
        PlanParser parser = new PlanParser(service, model);
        GenerationRunner runner = new GenerationRunner(service, options.requestTimeout());
        this.openAi = new OpenAiHandlers(parser, runner);
        this.llamaCpp = new LlamaCppHandlers(service, parser, runner, model);
        this.embeddings = new EmbeddingHandlers(service, parser);
        this.ollama = new OllamaHandlers(service, parser, runner, model);
    }

    /** Request lines go to {@code out} instead of stderr (tests). Before {@link #start}. */
    ApiServer logTo(java.io.PrintStream out) {
        requestLog = new RequestLog(options.requestLog(), out);
        return this;
    }

    public ApiServer start() {
        app = Javalin.create(cfg -> {
            cfg.concurrency.useVirtualThreads = true;
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = options.maxBodyBytes();
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.jetty.modifyServer(server -> {
                // We stop Jetty ourselves after draining (SIGTERM → stop()), not from Jetty's own hook.
                server.setStopAtShutdown(false);
                server.setErrorHandler(new JsonErrorHandler());
            });
            cfg.jetty.modifyHttpConfiguration(http -> http.setRequestHeaderSize(MAX_HEADER_BYTES));
            routes(cfg);
        });
        try {
            app.start(options.host(), options.port());
        } catch (io.javalin.util.JavalinBindException e) {
            throw new dev.codellm.core.CodellmException("cannot listen on " + options.host() + ":" + options.port()
                    + " (port in use or not allowed): " + e.getMessage(), e);
        }
        return this;
    }

    private void routes(JavalinConfig cfg) {
        var r = cfg.routes;
        // OpenAI, also without the /v1 prefix (clients configured with a bare base URL)
        for (String p : new String[] {"/v1", ""}) {
            r.get(p + "/models", route(p + "/models", true, this::models));
            r.get(p + "/models/{id}", route(p + "/models/{id}", true, this::model));
            r.post(p + "/completions", route(p + "/completions", true, openAi::completions));
            r.post(p + "/chat/completions", route(p + "/chat/completions", true, openAi::chat));
            r.post(p + "/embeddings", route(p + "/embeddings", true, embeddings::openAi));
        }
        // llama-server
        r.post("/completion", route("/completion", true, llamaCpp::completion));
        r.post("/infill", route("/infill", true, llamaCpp::infill));
        r.post("/tokenize", route("/tokenize", true, llamaCpp::tokenize));
        r.post("/detokenize", route("/detokenize", true, llamaCpp::detokenize));
        r.post("/apply-template", route("/apply-template", true, llamaCpp::applyTemplate));
        r.get("/props", route("/props", true, llamaCpp::props));
        r.get("/health", route("/health", false, llamaCpp::health));
        r.get("/metrics", route("/metrics", true, this::metricsText));
        // ollama (its own error shape)
        r.post("/api/generate", ollamaRoute("/api/generate", ollama::generate));
        r.post("/api/chat", ollamaRoute("/api/chat", ollama::chat));
        r.get("/api/tags", ollamaRoute("/api/tags", ollama::tags));
        r.post("/api/show", ollamaRoute("/api/show", ollama::show));
        r.get("/api/ps", ollamaRoute("/api/ps", ollama::ps));
        r.get("/api/version", ollamaRoute("/api/version", ollama::version));
        r.post("/api/embed", ollamaRoute("/api/embed", embeddings::ollamaEmbed));
        r.post("/api/embeddings", ollamaRoute("/api/embeddings", embeddings::ollamaEmbeddings));
        for (String p : new String[] {"/api/pull", "/api/push", "/api/create", "/api/copy"}) r.post(p, ollamaRoute(p, ollama::modelStore));
        r.delete("/api/delete", ollamaRoute("/api/delete", ollama::modelStore));
        // the web UI (the page itself needs no key; its API calls send the one typed into it)
        r.get("/", route("/", false, webUi::page));
        r.get("/ui/{file}", route("/ui", false, webUi::asset));
        // CORS: every answer carries the allowed origin; preflights are answered without a key
        r.before(this::cors);
        r.options("/*", ctx -> {
            ctx.attribute("codellm.answered", Boolean.TRUE);
            ctx.status(204);
        });
        r.error(404, ctx -> {
            if (ctx.attribute("codellm.answered") != null) return;
            metrics.request("unknown", 404);
            writeError(ctx, ApiError.notFound("Unknown route: " + ctx.method() + " " + ctx.path()));
        });
        r.error(405, ctx -> {
            if (ctx.attribute("codellm.answered") != null) return;
            writeError(ctx, new ApiError(405, "invalid_request_error", "Method " + ctx.method() + " is not allowed on " + ctx.path(), null, null, null));
        });
        r.exception(Exception.class, (e, ctx) -> writeError(ctx, HttpJson.toApiError(e)));
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
        return route(name, needsKey, handler, false);
    }

    /** An ollama route: errors are {@code {"error": "..."}} as ollama's clients read them. */
    private Handler ollamaRoute(String name, Handler handler) {
        return route(name, true, handler, true);
    }

    private Handler route(String name, boolean needsKey, Handler handler, boolean ollamaErrors) {
        return ctx -> {
            long started = System.nanoTime();
            ctx.attribute("codellm.answered", Boolean.TRUE);
            metrics.requestStarted();
            try {
                if (needsKey) checkKey(ctx);
                handler.handle(ctx);
            } catch (Exception | StackOverflowError e) {
                if (ClientGone.is(e)) {
                    // The client closed the connection while sending its body: nobody to answer.
                    ctx.status(GenerationRunner.CLIENT_CLOSED_REQUEST);
                    return;
                }
                ApiError err = HttpJson.toApiError(e);
                if (err.status() >= 500) LOG.log(Level.WARNING, "request to " + name + " failed", e);
                if (ollamaErrors) writeOllamaError(ctx, err);
                else writeError(ctx, err);
            } finally {
                ClientWatch.stop(ctx);
                metrics.requestEnded();
                metrics.request(name, ctx.statusCode());
                requestLog.log(ctx, started);
            }
        };
    }

    /**
     * Adds CORS headers when the server allows browsers from other origins (see
     * {@link ServerOptions#effectiveCorsOrigin()}); a preflight gets the methods and headers it asks for.
     */
    private void cors(Context ctx) {
        String origin = ctx.header("Origin");
        if (corsOrigin == null || origin == null) return;
        ctx.header("Access-Control-Allow-Origin", corsOrigin);
        if (!"*".equals(corsOrigin)) ctx.header("Vary", "Origin");
        if ("OPTIONS".equals(ctx.method().name())) {
            ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
            String asked = ctx.header("Access-Control-Request-Headers");
            ctx.header("Access-Control-Allow-Headers", asked != null && !asked.isBlank() ? asked : "Authorization, Content-Type");
            ctx.header("Access-Control-Max-Age", "86400");
        }
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

    private static void writeOllamaError(Context ctx, ApiError e) {
        if (ctx.res().isCommitted()) return;
        try {
            HttpJson.send(ctx, e.status(), OllamaHandlers.error(e.getMessage()));
        } catch (Exception ignored) {
            ctx.status(e.status());
        }
    }

    private void models(Context ctx) throws Exception {
        ObjectNode root = ResponseJson.MAPPER.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String name : model.names()) data.add(modelObject(name));
        HttpJson.send(ctx, 200, root);
    }

    private void model(Context ctx) throws Exception {
        String id = ctx.pathParam("id");
        if (!model.names().contains(id)) {
            throw new ApiError(404, "invalid_request_error", "The model '" + id + "' does not exist; this server lists "
                    + String.join(", ", model.names()) + " (requests may name any model).", "model", "model_not_found", null);
        }
        HttpJson.send(ctx, 200, modelObject(id));
    }

    private ObjectNode modelObject(String name) {
        ObjectNode m = ResponseJson.MAPPER.createObjectNode();
        m.put("id", name);
        m.put("object", "model");
        m.put("created", createdAt);
        m.put("owned_by", "codellm");
        ObjectNode meta = m.putObject("meta");
        meta.put("n_ctx", service.info().contextLength());
        meta.put("supports_infill", service.info().supportsInfill());
        meta.put("chat_template", service.info().chatTemplate());
        meta.put("embeddings", model.embeddings() ? "mean-pooled last hidden state, L2-normalised" : null);
        if (model.file() != null) {
            meta.put("size", model.sizeBytes());
            meta.put("n_params", model.parameterCount());
        }
        return m;
    }

    private void metricsText(Context ctx) throws java.io.IOException {
        ctx.status(200);
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
        HttpJson.writeNow(ctx, metrics.render(service).getBytes(StandardCharsets.UTF_8));
    }
}
