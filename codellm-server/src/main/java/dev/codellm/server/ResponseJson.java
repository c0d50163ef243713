package dev.codellm.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.codellm.core.FinishReason;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds OpenAI's response and stream-chunk objects (field names and nesting exactly as the API documents). */
final class ResponseJson {
    /** Core's wire mapper: standard JSON on the HTTP API ({@link dev.codellm.core.io.Json#WIRE}). */
    static final ObjectMapper MAPPER = dev.codellm.core.io.Json.WIRE;

    private ResponseJson() {}

    static ObjectNode error(ApiError e) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        return root;
    }

    static ObjectNode usage(int prompt, int completion) {
        ObjectNode u = MAPPER.createObjectNode();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        return u;
    }

    static ObjectNode envelope(String id, String object, long created, String model) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.putNull("system_fingerprint");
        return root;
    }

    static String finish(FinishReason r) {
        return r == null ? null : r.openAiName();
    }

    /** A text_completion choice (full answer or stream chunk). */
    static ObjectNode completionChoice(int index, String text, ObjectNode logprobs, FinishReason reason) {
        ObjectNode c = MAPPER.createObjectNode();
        c.put("text", text);
        c.put("index", index);
        if (logprobs == null) c.putNull("logprobs"); else c.set("logprobs", logprobs);
        c.put("finish_reason", finish(reason));
        return c;
    }

    /** Legacy completions logprobs: parallel arrays tokens / token_logprobs / top_logprobs / text_offset. */
    static ObjectNode completionLogprobs(List<TokenLogprob> lps, int startOffset) {
        ObjectNode n = MAPPER.createObjectNode();
        ArrayNode tokens = n.putArray("tokens");
        ArrayNode values = n.putArray("token_logprobs");
        ArrayNode tops = n.putArray("top_logprobs");
        ArrayNode offsets = n.putArray("text_offset");
        int offset = startOffset;
        for (TokenLogprob lp : lps) {
            tokens.add(lp.token());
            values.add(lp.logprob());
            ObjectNode top = tops.addObject();
            for (TokenLogprob.Alternative a : lp.top()) top.put(a.token(), a.logprob());
            offsets.add(offset);
            offset += lp.token().length();
        }
        return n;
    }

    /** Chat logprobs: {@code {"content": [{token, logprob, bytes, top_logprobs: [...]}], "refusal": null}}. */
    static ObjectNode chatLogprobs(List<TokenLogprob> lps) {
        ObjectNode n = MAPPER.createObjectNode();
        ArrayNode content = n.putArray("content");
        for (TokenLogprob lp : lps) {
            ObjectNode item = tokenLogprob(content.addObject(), lp.token(), lp.logprob());
            ArrayNode top = item.putArray("top_logprobs");
            for (TokenLogprob.Alternative a : lp.top()) tokenLogprob(top.addObject(), a.token(), a.logprob());
        }
        n.putNull("refusal");
        return n;
    }

    private static ObjectNode tokenLogprob(ObjectNode o, String token, double logprob) {
        o.put("token", token);
        o.put("logprob", logprob);
        ArrayNode bytes = o.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) bytes.add(b & 0xff);
        return o;
    }

    /** A chat choice of a full answer. */
    static ObjectNode chatChoice(int index, String content, ObjectNode logprobs, FinishReason reason) {
        ObjectNode c = MAPPER.createObjectNode();
        c.put("index", index);
        ObjectNode msg = c.putObject("message");
        msg.put("role", "assistant");
        msg.put("content", content);
        msg.putNull("refusal");
        if (logprobs == null) c.putNull("logprobs"); else c.set("logprobs", logprobs);
        c.put("finish_reason", finish(reason));
        return c;
    }

    /** A chat stream chunk's choice: {@code delta} holds the role (first chunk) and/or new content. */
    static ObjectNode chatDelta(int index, String role, String content, ObjectNode logprobs, FinishReason reason) {
        ObjectNode c = MAPPER.createObjectNode();
        c.put("index", index);
        ObjectNode delta = c.putObject("delta");
        if (role != null) delta.put("role", role);
        if (content != null) delta.put("content", content);
        if (logprobs == null) c.putNull("logprobs"); else c.set("logprobs", logprobs);
        c.put("finish_reason", finish(reason));
        return c;
    }
}
