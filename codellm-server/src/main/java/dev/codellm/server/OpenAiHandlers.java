package dev.codellm.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.FinishReason;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.UUID;

/**
 * POST /v1/completions and /v1/chat/completions, full answers and SSE streams. Both endpoints run
 * the same way; what differs (object names, choice and chunk layout, echo) is an {@link Shape}.
 */
final class OpenAiHandlers {
    private final PlanParser parser;
    private final GenerationRunner runner;

    OpenAiHandlers(PlanParser parser, GenerationRunner runner) {
        this.parser = parser;
        this.runner = runner;
    }

    void completions(Context ctx) throws Exception {
        answer(ctx, parser.completions(HttpJson.read(ctx)), COMPLETION);
    }

    void chat(Context ctx) throws Exception {
        answer(ctx, parser.chat(HttpJson.read(ctx)), CHAT);
    }

    private void answer(Context ctx, GenerationPlan plan, Shape shape) throws Exception {
        JobGroup group = runner.submit(plan);
        RequestLog.jobs(ctx, group);
        String id = shape.idPrefix() + randomId();
        long created = System.currentTimeMillis() / 1000;
        try {
            ClientWatch watch = ClientWatch.start(ctx, group::cancelAll);
            if (plan.stream()) {
                stream(ctx, plan, shape, group, id, created);
                return;
            }
            ChoiceResult[] results = GenerationRunner.collect(group, watch, ctx);
            if (results == null) return; // the client left; nobody to answer
            ObjectNode root = ResponseJson.envelope(id, shape.object(), created, plan.model());
            var choices = root.putArray("choices");
            for (int i = 0; i < results.length; i++) choices.add(shape.choice(plan, i, results[i]));
            int[] u = GenerationRunner.usage(results, plan.n());
            root.set("usage", ResponseJson.usage(u[0], u[1]));
            HttpJson.send(ctx, 200, root);
        } finally {
            group.cancelAll();
        }
    }

    private void stream(Context ctx, GenerationPlan plan, Shape shape, JobGroup group, String id, long created) throws Exception {
        int n = group.size();
        int[] prompt = new int[n], completion = new int[n], offset = new int[n];
        EventStream sse = EventStream.sse(ctx);
        try {
            for (int i = 0; i < n; i++) {
                ObjectNode opening = shape.opening(plan, i);
                if (opening != null) sse.send(chunk(plan, shape, id, created, opening));
                offset[i] = echoText(plan, i).length();
            }
            while (!group.done()) {
                ObjectNode choice = switch (group.next()) {
                    case JobGroup.Token t -> {
                        if (t.text().isEmpty() && t.logprob() == null) yield null;
                        ObjectNode c = shape.token(t.choice(), t.text(), t.logprob(), offset[t.choice()]);
                        offset[t.choice()] += t.text().length();
                        yield c;
                    }
                    case JobGroup.Finished f -> {
                        prompt[f.choice()] = f.promptTokens();
                        completion[f.choice()] = f.completionTokens();
                        yield shape.finish(f.choice(), f.reason());
                    }
                    case JobGroup.Failed f -> throw new StreamFailure(f.error());
                };
                if (choice != null) sse.send(chunk(plan, shape, id, created, choice));
            }
            if (plan.includeUsage()) {
                // The extra last chunk of stream_options.include_usage: no choices, usage filled in.
                ObjectNode root = ResponseJson.envelope(id, shape.chunkObject(), created, plan.model());
                root.putArray("choices");
                int[] u = GenerationRunner.usage(prompt, completion, plan.n());
                root.set("usage", ResponseJson.usage(u[0], u[1]));
                sse.send(root);
            }
            sse.done();
        } catch (StreamFailure f) {
            sendStreamError(sse, f.getCause());
        } catch (IOException clientGone) {
            group.cancelAll();
        }
    }

    private ObjectNode chunk(GenerationPlan plan, Shape shape, String id, long created, ObjectNode choice) {
        ObjectNode root = ResponseJson.envelope(id, shape.chunkObject(), created, plan.model());
        root.putArray("choices").add(choice);
        if (plan.includeUsage()) root.putNull("usage");
        return root;
    }

    /** After the 200 and headers went out, an error can only be told as one more event. */
    static void sendStreamError(EventStream sse, Throwable error) {
        ApiError e = HttpJson.toApiError(error);
        try {
            sse.send(ResponseJson.error(e));
            sse.done();
        } catch (IOException ignored) {
            // the client is gone too
        }
    }

    private static String echoText(GenerationPlan plan, int choice) {
        return plan.echo() ? plan.prompts().get(choice / plan.n()).text() : "";
    }

    static String randomId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    /** What differs between the completion and the chat endpoint's answers. */
    private interface Shape {
        String idPrefix();
        String object();
        String chunkObject();
        /** A full answer's choice. */
        ObjectNode choice(GenerationPlan plan, int index, ChoiceResult r);
        /** The stream's first chunk of a choice, or null. */
        ObjectNode opening(GenerationPlan plan, int index);
        /** A stream chunk's choice with new text; {@code offset}: text of this choice before it. */
        ObjectNode token(int index, String text, TokenLogprob lp, int offset);
        /** A stream chunk's choice ending it. */
        ObjectNode finish(int index, FinishReason reason);
    }

    private static final Shape COMPLETION = new Shape() {
        @Override public String idPrefix() { return "cmpl-"; }
        @Override public String object() { return "text_completion"; }
        @Override public String chunkObject() { return "text_completion"; }

        @Override
        public ObjectNode choice(GenerationPlan plan, int index, ChoiceResult r) {
            String echo = echoText(plan, index);
            ObjectNode lp = plan.topLogprobs() >= 0 ? ResponseJson.completionLogprobs(r.logprobs, echo.length()) : null;
            return ResponseJson.completionChoice(index, echo + r.text, lp, r.finishReason);
        }

        @Override
        public ObjectNode opening(GenerationPlan plan, int index) {
            return plan.echo() ? ResponseJson.completionChoice(index, echoText(plan, index), null, null) : null;
        }

        @Override
        public ObjectNode token(int index, String text, TokenLogprob lp, int offset) {
            return ResponseJson.completionChoice(index, text, lp == null ? null : ResponseJson.completionLogprobs(List.of(lp), offset), null);
        }

        @Override
        public ObjectNode finish(int index, FinishReason reason) {
            return ResponseJson.completionChoice(index, "", null, reason);
        }
    };

    private static final Shape CHAT = new Shape() {
        @Override public String idPrefix() { return "chatcmpl-"; }
        @Override public String object() { return "chat.completion"; }
        @Override public String chunkObject() { return "chat.completion.chunk"; }

        @Override
        public ObjectNode choice(GenerationPlan plan, int index, ChoiceResult r) {
            ObjectNode lp = plan.topLogprobs() >= 0 ? ResponseJson.chatLogprobs(r.logprobs) : null;
            return ResponseJson.chatChoice(index, r.text.toString(), lp, r.finishReason);
        }

        @Override
        public ObjectNode opening(GenerationPlan plan, int index) {
            return ResponseJson.chatDelta(index, "assistant", "", null, null);
        }

        @Override
        public ObjectNode token(int index, String text, TokenLogprob lp, int offset) {
            return ResponseJson.chatDelta(index, null, text, lp == null ? null : ResponseJson.chatLogprobs(List.of(lp)), null);
        }

        @Override
        public ObjectNode finish(int index, FinishReason reason) {
            return ResponseJson.chatDelta(index, null, null, null, reason);
        }
    };

    /** Carries a job's error out of the event switch to the stream's error path. */
    static final class StreamFailure extends RuntimeException {
        StreamFailure(RuntimeException cause) {
            super(cause);
        }
    }
}
