package dev.codellm.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * One line per request on stderr, as an operator tails it: method, route, status, prompt and
 * completion tokens (generation routes), milliseconds; or the same as one JSON object a line
 * ({@code serve --log-format json}) for log shippers.
 *
 * <pre>
 * 2026-12-03T07:40:01Z POST /v1/chat/completions 200 tokens 19+30 153 ms 127.0.0.1
 * {"time":"2026-12-03T07:40:01Z","method":"POST","path":"/v1/chat/completions","status":200,"prompt_tokens":19,"completion_tokens":30,"ms":153,"remote":"127.0.0.1"}
 * </pre>
 */
public final class RequestLog {
    public enum Format {
        TEXT, JSON, NONE;

        public static Format parse(String s) {
            for (Format f : values()) if (f.name().equalsIgnoreCase(s.strip())) return f;
            throw new IllegalArgumentException("unknown --log-format '" + s + "' (choose text, json or none)");
        }
    }

    /** The request attribute a generation handler leaves its jobs under, for the token counts. */
    private static final String JOBS = "codellm.jobs";

    private final Format format;
    private final PrintStream out;

    RequestLog(Format format, PrintStream out) {
        this.format = format;
        this.out = out;
    }

    /** Called by a generation route once its jobs are queued: their tokens go into the request's line. */
    static void jobs(Context ctx, JobGroup group) {
        ctx.attribute(JOBS, group);
    }

    void log(Context ctx, long startNanos) {
        if (format == Format.NONE) return;
        JobGroup jobs = ctx.attribute(JOBS);
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String remote = remote(ctx);
        String line;
        if (format == Format.JSON) {
            ObjectNode n = ResponseJson.MAPPER.createObjectNode();
            n.put("time", time).put("method", ctx.method().name()).put("path", ctx.path()).put("status", ctx.statusCode());
            if (jobs != null) n.put("prompt_tokens", jobs.promptTokens()).put("completion_tokens", jobs.completionTokens());
            n.put("ms", ms).put("remote", remote);
            line = n.toString();
        } else {
            line = String.format(Locale.ROOT, "%s %s %s %d%s %d ms %s", time, ctx.method().name(), ctx.path(), ctx.statusCode(),
                    jobs == null ? "" : " tokens " + jobs.promptTokens() + "+" + jobs.completionTokens(), ms, remote);
        }
        out.println(line); // println on one PrintStream: lines of concurrent requests do not interleave
    }

    private static String remote(Context ctx) {
        try {
            return ctx.ip();
        } catch (RuntimeException e) {
            return "-";
        }
    }
}
