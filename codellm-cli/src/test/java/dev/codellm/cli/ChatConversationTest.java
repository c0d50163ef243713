package dev.codellm.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.codellm.core.ChatMessage;
import dev.codellm.core.io.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat's slash commands: acknowledged, and never sent to the model. */
class ChatConversationTest {
    @TempDir
    Path tmp;

    @Test
    void commandsAnswerTheUserAndNeverBecomeTurns() {
        ChatConversation c = new ChatConversation("be brief");
        assertInstanceOf(ChatConversation.Tell.class, c.handle("/help"));
        assertTrue(((ChatConversation.Tell) c.handle("/help")).message().contains("/system TEXT"));
        assertInstanceOf(ChatConversation.Tell.class, c.handle("/nonsense"));
        assertNull(c.handle("   "));
        assertEquals(List.of(ChatMessage.system("be brief")), c.messages(), "no command reached the messages");

        assertInstanceOf(ChatConversation.Ask.class, c.handle("hello"));
        c.answered("hi");
        assertEquals(3, c.messages().size());
        var reset = (ChatConversation.Tell) c.handle("/reset");
        assertEquals("conversation reset (2 messages forgotten; the system prompt stays)", reset.message());
        assertEquals(List.of(ChatMessage.system("be brief")), c.messages());

        assertEquals("system prompt set; conversation reset", ((ChatConversation.Tell) c.handle("/system  answer in French ")).message());
        assertEquals("system prompt: answer in French", ((ChatConversation.Tell) c.handle("/system")).message());
        assertInstanceOf(ChatConversation.Leave.class, c.handle("/exit"));
        assertInstanceOf(ChatConversation.Leave.class, c.handle("/quit"));
    }

    @Test
    void aDoubleSlashSendsALineStartingWithASlash() {
        ChatConversation c = new ChatConversation(null);
        assertInstanceOf(ChatConversation.Ask.class, c.handle("//help me"));
        assertEquals(List.of(ChatMessage.user("/help me")), c.messages());
    }

    @Test
    void aStoppedAnswerDropsItsQuestion() {
        ChatConversation c = new ChatConversation(null);
        c.handle("first");
        c.answered("one");
        c.handle("second");
        c.unanswered();
        assertEquals(List.of(ChatMessage.user("first"), ChatMessage.assistant("one")), c.messages());
    }

    @Test
    void saveWritesTheConversationAsJsonAndABadPathIsToldNotFatal() throws Exception {
        ChatConversation c = new ChatConversation("sys");
        c.handle("q");
        c.answered("a \"quoted\"\nline");
        Path file = tmp.resolve("chat.json");
        assertEquals("saved 3 messages to " + file, ((ChatConversation.Tell) c.handle("/save " + file)).message());
        var json = Json.read(file).get("messages");
        assertEquals("system", json.get(0).get("role").asText());
        assertEquals("a \"quoted\"\nline", json.get(2).get("content").asText());
        var notSaved = (ChatConversation.Tell) c.handle("/save " + tmp.resolve("chat.json/inside")); // under a file
        assertTrue(notSaved.message().startsWith("not saved: cannot write "), notSaved.message());
        assertTrue(((ChatConversation.Tell) c.handle("/save")).message().startsWith("/save needs a file name"));
    }
}
