package dev.codellm.cli;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.CodellmException;
import dev.codellm.core.io.Json;
import dev.codellm.core.io.OutputFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of an interactive chat and its slash commands, apart from any terminal so that it can
 * be tested: a line starting with {@code /} is a command and never reaches the model ({@code //}
 * sends a line that starts with a slash).
 */
final class ChatConversation {
    static final String HELP = String.join("\n",
            "/help          this list",
            "/reset         forget the conversation (the system prompt stays)",
            "/system TEXT   set the system prompt (and forget the conversation); /system alone shows it",
            "/save FILE     write the conversation as JSON ({\"messages\": [{\"role\", \"content\"}...]})",
            "/exit, /quit   leave (as Ctrl-D does)",
            "Ctrl-C stops an answer; at an empty prompt it leaves. A line ending in \\ continues on the next;",
            "//text sends /text to the model.");

    /** What a line asks for: an answer from the model, a message for the user, or leaving. */
    sealed interface Action permits Ask, Tell, Leave {}

    /** Send {@link ChatConversation#messages()} (the new user turn is in it) to the model. */
    record Ask() implements Action {}

    /** Print this to the user; nothing goes to the model. */
    record Tell(String message) implements Action {}

    record Leave() implements Action {}

    private String system;
    private final List<ChatMessage> turns = new ArrayList<>();

    ChatConversation(String system) {
        this.system = system;
    }

    /** The messages the model is sent: the system prompt, then the turns so far. */
    List<ChatMessage> messages() {
        List<ChatMessage> all = new ArrayList<>();
        if (system != null && !system.isEmpty()) all.add(ChatMessage.system(system));
        all.addAll(turns);
        return all;
    }

    /** The model's answer to the last user turn. */
    void answered(String text) {
        turns.add(ChatMessage.assistant(text));
    }

    /** A cancelled or failed answer: the user turn it answered is dropped, so the next question starts clean. */
    void unanswered() {
        if (!turns.isEmpty() && turns.getLast().role().equals("user")) turns.removeLast();
    }

    /** What the typed line asks for; null for a blank line (nothing to do). */
    Action handle(String line) {
        if (line.isBlank()) return null;
        if (line.startsWith("//")) return say(line.substring(1));
        if (!line.startsWith("/")) return say(line);
        String cmd = line.strip(), arg = "";
        int space = cmd.indexOf(' ');
        if (space > 0) {
            arg = cmd.substring(space + 1).strip();
            cmd = cmd.substring(0, space);
        }
        switch (cmd) {
            case "/help", "/?" -> { return new Tell(HELP); }
            case "/exit", "/quit", "/bye" -> { return new Leave(); }
            case "/reset", "/clear" -> {
                int n = turns.size();
                turns.clear();
                return new Tell("conversation reset (" + n + " messages forgotten" + (system == null ? "" : "; the system prompt stays") + ")");
            }
            case "/system" -> {
                if (arg.isEmpty()) return new Tell(system == null ? "no system prompt (set one with /system TEXT)" : "system prompt: " + system);
                system = arg;
                turns.clear();
                return new Tell("system prompt set; conversation reset");
            }
            case "/save" -> {
                if (arg.isEmpty()) return new Tell("/save needs a file name: /save chat.json");
                Path file = Path.of(arg);
                var root = Json.MAPPER.createObjectNode();
                var list = root.putArray("messages");
                for (ChatMessage m : messages()) list.addObject().put("role", m.role()).put("content", m.content());
                try {
                    OutputFiles.writeAtomically(file, Json.pretty(root));
                } catch (CodellmException e) {
                    return new Tell("not saved: " + e.getMessage()); // the conversation goes on
                }
                return new Tell("saved " + list.size() + " messages to " + file);
            }
            default -> { return new Tell("unknown command " + cmd + " (/help lists them; //" + cmd.substring(1) + " sends it to the model)"); }
        }
    }

    /** A user turn as it is (the one-shot message, which is never a command). */
    Action say(String text) {
        turns.add(ChatMessage.user(text));
        return new Ask();
    }
}
