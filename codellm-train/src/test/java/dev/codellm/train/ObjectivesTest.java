package dev.codellm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codellm.train.data.Example;
import dev.codellm.train.data.FimTransform;
import dev.codellm.core.ChatMessage;
import dev.codellm.core.IntList;
import dev.codellm.model.generate.ChatTemplates;
import dev.codellm.train.data.SftSource;
import dev.codellm.model.tokenizer.SpecialTokens;
import dev.codellm.model.tokenizer.Tokenizer;
import dev.codellm.train.tokenizer.BpeTrainer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ObjectivesTest {
    static final String DOC = "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n\n\nprint(add(1, 2))\n";

    static Tokenizer tokenizer() {
        BpeTrainer t = new BpeTrainer();
        t.add(DOC);
        t.add("[INST] Write code [/INST] def f(x):\n    return x\n");
        return t.train(60, SpecialTokens.CODE_LLAMA_SPELLINGS);
    }

    @Test
    void fimRearrangesCharactersInPsmAndSpmOrder() {
        Tokenizer tok = tokenizer();
        SpecialTokens sp = tok.specialTokens();
        FimTransform fim = new FimTransform(tok, 1.0, 0.5);
        Random rnd = new Random(3);
        int psm = 0, spm = 0;
        for (int i = 0; i < 200; i++) {
            int[] ids = fim.apply(DOC, rnd, new IntList()).toArray();
            assertEquals(sp.require("bos"), ids[0]);
            assertEquals(sp.require("fim_pre"), ids[1]);
            assertEquals(sp.require("eot"), ids[ids.length - 1]);
            int suf = indexOf(ids, sp.require("fim_suf")), mid = indexOf(ids, sp.require("fim_mid"));
            assertTrue(suf > 0 && mid > suf);
            String middle = tok.decode(Arrays.copyOfRange(ids, mid + 1, ids.length - 1));
            if (suf == 2) { // SPM: <PRE><SUF> suffix <MID> prefix middle
                spm++;
                String suffix = tok.decode(Arrays.copyOfRange(ids, 3, mid));
                String prefixMiddle = middle;
                assertEquals(DOC, prefixMiddle + suffix);
            } else {        // PSM: <PRE> prefix <SUF> suffix <MID> middle
                psm++;
                String prefix = tok.decode(Arrays.copyOfRange(ids, 2, suf)), suffix = tok.decode(Arrays.copyOfRange(ids, suf + 1, mid));
                assertEquals(DOC, prefix + middle + suffix);
            }
        }
        assertTrue(psm > 70 && spm > 70, "PSM/SPM mix near 50/50: " + psm + "/" + spm);
        int[] plain = new FimTransform(tok, 0.0, 0.5).apply(DOC, rnd, new IntList()).toArray();
        assertEquals(sp.require("bos"), plain[0]);
        assertEquals(sp.require("eos"), plain[plain.length - 1]);
        assertEquals(DOC, tok.decode(plain));
    }

    @Test
    void sftPutsLossOnTheResponseOnly() {
        Tokenizer tok = tokenizer();
        SpecialTokens sp = tok.specialTokens();
        List<ChatMessage> conv = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Write code"),
                ChatMessage.assistant("def f(x):\n    return x"));
        SftSource src = new SftSource(List.of(conv), tok, ChatTemplates.byName("llama2"), 128, 1);
        Example e = src.get(0);
        StringBuilder trained = new StringBuilder(), prompt = new StringBuilder();
        int eosTrained = 0;
        for (int t = 0; t < e.length(); t++) {
            if (e.targets()[t] == sp.require("eos")) { if (e.weights()[t] == 1f) eosTrained++; continue; }
            (e.weights()[t] == 1f ? trained : prompt).append(tok.decode(new int[] {e.targets()[t]}));
        }
        assertEquals(" def f(x):\n    return x ", trained.toString());
        assertEquals(1, eosTrained, "the closing </s> is learned");
        assertTrue(prompt.toString().startsWith("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nWrite code [/INST]"), prompt.toString());
        assertEquals(sp.require("bos"), e.tokens()[0]);
        for (int t = e.length(); t < 128; t++) assertEquals(0f, e.weights()[t], "padding carries no loss");
    }

    @Test
    void pretrainingJsonlRecordsAreDocuments(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("corpus.jsonl");
        java.nio.file.Files.writeString(f, "{\"text\": \"def a():\\n    pass\\n\"}\n{\"content\": \"x = 1\\n\"}\n{\"other\": 1}\n");
        var c = dev.codellm.train.data.Corpus.load(f, java.util.Set.of("py"), 0, 1_000_000);
        assertEquals(List.of("def a():\n    pass\n", "x = 1\n"), c.train.stream().map(d -> d.text()).toList());
        assertEquals(1, c.skipped);
        java.nio.file.Files.writeString(f, "{broken\n");
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.codellm.core.CodellmException.class,
                () -> dev.codellm.train.data.Corpus.load(f, java.util.Set.of("py"), 0, 1_000_000));
        assertTrue(e.getMessage().contains("corpus.jsonl:1: malformed JSON"), e.getMessage());
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }
}
