package dev.codellm.model.generate;

import dev.codellm.core.CodellmException;
import dev.codellm.model.llama.KvType;
import dev.codellm.model.llama.LlamaConfig;
import dev.codellm.model.llama.Session;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The KV-cache memory check made before any cache is allocated: a context whose caches (all
 * slots) do not fit in {@value #USABLE_PERCENT} % of the memory this process can still get is
 * lowered to the largest that fits, with one line saying so; one the user asked for explicitly
 * is refused with that line instead. "Can still get" is the least of the machine's available
 * memory, the cgroup's remaining limit and the JVM's remaining direct-memory limit (the caches
 * are off-heap segments, which count against it).
 */
public final class KvBudget {
    static final int USABLE_PERCENT = 90;
    /** Chosen contexts are rounded down to this many tokens. */
    static final int STEP = 256;
    /** Overrides the measured memory (bytes), for tests and for users who know better. */
    public static final String AVAILABLE_PROPERTY = "codellm.kv.available";

    private KvBudget() {}

    /** What was decided: the context per slot, and the line to show when it is not what was asked (null otherwise). */
    public record Decision(int contextLength, String note) {}

    /**
     * @param asked     the user's --ctx, or 0 for the model's trained length
     * @param available bytes this process can still allocate off-heap
     */
    public static Decision decide(LlamaConfig c, KvType kv, int trained, int asked, int slots, long available) {
        int want = asked > 0 ? asked : trained;
        long perToken = Session.bytes(c, 1, kv) * slots;
        long usable = available > Long.MAX_VALUE / 100 ? available / 100 * USABLE_PERCENT : available * USABLE_PERCENT / 100;
        if (perToken * want <= usable) return new Decision(want, null);
        String what = String.format(Locale.ROOT, "context %d (%s) needs %s of KV cache (%s, %d slot%s) but %s of memory is free", want,
                asked > 0 ? "--ctx" : "the model's trained length", gib(perToken * want), kv.name().toLowerCase(Locale.ROOT), slots,
                slots == 1 ? "" : "s", gib(available));
        long fit = usable / perToken;
        int chosen = (int) Math.min(want, fit >= STEP ? fit / STEP * STEP : fit);
        String flags = kv.memoryFlags(slots, c.headDim());
        if (asked > 0 || chosen < 16) {
            throw new CodellmException(what + (chosen >= 16 ? "; at most " + chosen + " fits: lower " + flags : "; free memory or lower " + flags));
        }
        return new Decision(chosen, what + ": using context " + chosen + " (change with " + flags + ")");
    }

    /** Bytes this process can still allocate for KV caches (see the class comment). */
    public static long availableBytes() {
        String override = System.getProperty(AVAILABLE_PROPERTY);
        if (override != null) return Long.parseLong(override.strip());
        long avail = Long.MAX_VALUE;
        avail = Math.min(avail, memAvailable());
        avail = Math.min(avail, cgroupRemaining());
        return Math.min(avail, directRemaining());
    }

    private static long memAvailable() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemAvailable:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the other bounds remain
        }
        return Long.MAX_VALUE;
    }

    private static long cgroupRemaining() {
        try {
            Path max = Path.of("/sys/fs/cgroup/memory.max"), cur = Path.of("/sys/fs/cgroup/memory.current");
            if (Files.isReadable(max) && Files.isReadable(cur)) {
                String m = Files.readString(max).strip();
                if (!m.equals("max")) return Math.max(0, Long.parseLong(m) - Long.parseLong(Files.readString(cur).strip()));
            }
        } catch (IOException | RuntimeException e) {
            // no cgroup v2 limit readable
        }
        return Long.MAX_VALUE;
    }

    private static long directRemaining() {
        long limit = Runtime.getRuntime().maxMemory();  // the JVM's default for MaxDirectMemorySize
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:MaxDirectMemorySize=")) limit = parseSize(a.substring(a.indexOf('=') + 1));
        }
        long used = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) used = b.getMemoryUsed();
        }
        return Math.max(0, limit - used);
    }

    static long parseSize(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        long mul = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            case 't' -> 1L << 40;
            default -> 1;
        };
        return Long.parseLong(mul == 1 ? t : t.substring(0, t.length() - 1)) * mul;
    }

    static String gib(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    }
}
