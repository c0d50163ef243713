package dev.codellm.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.UUID;

/** POST /v1/completions and /v1/chat/completions, full answers and SSE streams. */
final class OpenAiHandlers {
    private final PlanParser parser;
    private final GenerationRunner runner;
    private final String modelName;

    OpenAiHandlers(PlanParser parser, GenerationRunner runner, String modelName) {
        this.parser = parser;
        this.runner = runner;
        this.modelName = modelName;
    }

    void completions(Context ctx) throws Exception {
        GenerationPlan plan = parser.completions(HttpJson.read(ctx));
        JobGroup group = runner.submit(plan);
        String id = "cmpl-" + randomId();
        long created = System.currentTimeMillis() / 1000;
        try {
            if (plan.stream()) {
                streamCompletions(ctx, plan, group, id, created);
                return;
            }
            ChoiceResult[] results = GenerationRunner.collect(group);
            ObjectNode root = ResponseJson.envelope(id, "text_completion", created, modelName);
            ArrayNode choices = root.putArray("choices");
            for (int i = 0; i < results.length; i++) {
                ChoiceResult r = results[i];
                String echo = echoText(plan, i);
                ObjectNode lp = plan.topLogprobs() >= 0 ? ResponseJson.completionLogprobs(r.logprobs, echo.length()) : null;
                choices.add(ResponseJson.completionChoice(i, echo + r.text, lp, r.finishReason));
            }
            int[] u = GenerationRunner.usage(results, plan.n());
            root.set("usage", ResponseJson.usage(u[0], u[1]));
            HttpJson.send(ctx, 200, root);
        } finally {
            group.cancelAll();
        }
    }

    void chat(Context ctx) throws Exception {
        GenerationPlan plan = parser.chat(HttpJson.read(ctx));
        JobGroup group = runner.submit(plan);
        String id = "chatcmpl-" + randomId();
        long created = System.currentTimeMillis() / 1000;
        try {
            if (plan.stream()) {
                streamChat(ctx, plan, group, id, created);
                return;
            }
            ChoiceResult[] results = GenerationRunner.collect(group);
            ObjectNode root = ResponseJson.envelope(id, "chat.completion", created, modelName);
            ArrayNode choices = root.putArray("choices");
            for (int i = 0; i < results.length; i++) {
                ChoiceResult r = results[i];
                ObjectNode lp = plan.topLogprobs() >= 0 ? ResponseJson.chatLogprobs(r.logprobs) : null;
                choices.add(ResponseJson.chatChoice(i, r.text.toString(), lp, r.finishReason));
            }
            int[] u = GenerationRunner.usage(results, plan.n());
            root.set("usage", ResponseJson.usage(u[0], u[1]));
            HttpJson.send(ctx, 200, root);
        } finally {
            group.cancelAll();
        }
    }

    private void streamCompletions(Context ctx, GenerationPlan plan, JobGroup group, String id, long created) throws Exception {
        StreamState state = new StreamState(group.size());
        Sse sse = Sse.start(ctx);
        try {
            if (plan.echo()) {
                for (int i = 0; i < group.size(); i++) {
                    state.offset[i] = echoText(plan, i).length();
                    sse.send(completionChunk(plan, id, created, ResponseJson.completionChoice(i, echoText(plan, i), null, null)));
                }
            }
            while (!group.done()) {
                ObjectNode choice = switch (group.next()) {
                    case JobGroup.Token t -> {
                        if (t.text().isEmpty() && t.logprob() == null) yield null;
                        ObjectNode lp = t.logprob() == null ? null : ResponseJson.completionLogprobs(List.of(t.logprob()), state.offset[t.choice()]);
                        state.offset[t.choice()] += t.text().length();
                        yield ResponseJson.completionChoice(t.choice(), t.text(), lp, null);
                    }
                    case JobGroup.Finished f -> {
                        state.finished(f);
                        yield ResponseJson.completionChoice(f.choice(), "", null, f.reason());
                    }
                    case JobGroup.Failed f -> throw new StreamFailure(f.error());
                };
                if (choice != null) sse.send(completionChunk(plan, id, created, choice));
            }
            if (plan.includeUsage()) sse.send(usageChunk(plan, id, "text_completion", created, state));
            sse.done();
        } catch (StreamFailure f) {
            sendStreamError(sse, f.getCause());
        } catch (IOException clientGone) {
            group.cancelAll();
        }
    }

    private void streamChat(Context ctx, GenerationPlan plan, JobGroup group, String id, long created) throws Exception {
        StreamState state = new StreamState(group.size());
        Sse sse = Sse.start(ctx);
        try {
            for (int i = 0; i < group.size(); i++) {
                sse.send(chatChunk(plan, id, created, ResponseJson.chatDelta(i, "assistant", "", null, null)));
            }
            while (!group.done()) {
                ObjectNode choice = switch (group.next()) {
                    case JobGroup.Token t -> {
                        if (t.text().isEmpty() && t.logprob() == null) yield null;
                        ObjectNode lp = t.logprob() == null ? null : ResponseJson.chatLogprobs(List.of(t.logprob()));
                        yield ResponseJson.chatDelta(t.choice(), null, t.text(), lp, null);
                    }
                    case JobGroup.Finished f -> {
                        state.finished(f);
                        yield ResponseJson.chatDelta(f.choice(), null, null, null, f.reason());
                    }
                    case JobGroup.Failed f -> throw new StreamFailure(f.error());
                };
                if (choice != null) sse.send(chatChunk(plan, id, created, choice));
            }
            if (plan.includeUsage()) sse.send(usageChunk(plan, id, "chat.completion.chunk", created, state));
            sse.done();
        } catch (StreamFailure f) {
            sendStreamError(sse, f.getCause());
        } catch (IOException clientGone) {
            group.cancelAll();
        }
    }

    private ObjectNode completionChunk(GenerationPlan plan, String id, long created, ObjectNode choice) {
        ObjectNode root = ResponseJson.envelope(id, "text_completion", created, modelName);
        root.putArray("choices").add(choice);
        if (plan.includeUsage()) root.putNull("usage");
        return root;
    }

    private ObjectNode chatChunk(GenerationPlan plan, String id, long created, ObjectNode choice) {
        ObjectNode root = ResponseJson.envelope(id, "chat.completion.chunk", created, modelName);
        root.putArray("choices").add(choice);
        if (plan.includeUsage()) root.putNull("usage");
        return root;
    }

    /** The extra last chunk of stream_options.include_usage: no choices, usage filled in. */
    private ObjectNode usageChunk(GenerationPlan plan, String id, String object, long created, StreamState state) {
        ObjectNode root = ResponseJson.envelope(id, object, created, modelName);
        root.putArray("choices");
        int[] u = GenerationRunner.usage(state.prompt, state.completion, plan.n());
        root.set("usage", ResponseJson.usage(u[0], u[1]));
        return root;
    }

    /** After the 200 and headers went out, an error can only be told as one more event. */
    static void sendStreamError(Sse sse, Throwable error) {
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

    /** Token counts and text offsets per choice while streaming. */
    private static final class StreamState {
        final int[] prompt, completion, offset;

        StreamState(int n) {
            prompt = new int[n];
            completion = new int[n];
            offset = new int[n];
        }

        void finished(JobGroup.Finished f) {
            prompt[f.choice()] = f.promptTokens();
            completion[f.choice()] = f.completionTokens();
        }
    }

    /** Carries a job's error out of the event switch to the stream's error path. */
    static final class StreamFailure extends RuntimeException {
        StreamFailure(RuntimeException cause) {
            super(cause);
        }
    }
}
