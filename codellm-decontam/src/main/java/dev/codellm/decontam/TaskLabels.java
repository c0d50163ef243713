package dev.codellm.decontam;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Dense numbering of benchmark tasks ({@code benchmark:taskId}), so matchers report small ints. */
public final class TaskLabels implements Serializable {
    private static final long serialVersionUID = 1L;
    private final List<String> labels = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();

    public TaskLabels(List<BenchmarkItem> items) {
        for (BenchmarkItem it : items) index.computeIfAbsent(it.label(), l -> { labels.add(l); return labels.size() - 1; });
    }

    public int of(BenchmarkItem item) {
        return index.get(item.label());
    }

    public String label(int owner) {
        return labels.get(owner);
    }

    public int size() {
        return labels.size();
    }
}
