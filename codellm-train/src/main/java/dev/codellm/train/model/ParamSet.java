package dev.codellm.train.model;

import dev.codellm.core.CodellmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** All parameters of a model (base weights and any LoRA adapters) in a stable order. */
public final class ParamSet {
    private final List<Param> all = new ArrayList<>();
    private final Map<String, Param> byName = new LinkedHashMap<>();

    public Param add(String name, int rows, int cols, boolean decay) {
        if (byName.containsKey(name)) throw new IllegalStateException("duplicate parameter " + name);
        Param p = new Param(name, rows, cols, all.size(), decay);
        all.add(p);
        byName.put(name, p);
        return p;
    }

    public List<Param> all() { return Collections.unmodifiableList(all); }
    public int size() { return all.size(); }
    public Param get(String name) {
        Param p = byName.get(name);
        if (p == null) throw new CodellmException("no parameter named " + name);
        return p;
    }
    public Param find(String name) { return byName.get(name); }

    public long trainableCount() {
        long n = 0;
        for (Param p : all) if (p.trainable) n += p.size();
        return n;
    }

    public long totalCount() {
        long n = 0;
        for (Param p : all) n += p.size();
        return n;
    }

    /** Fresh zeroed gradient buffers, one per trainable parameter (null for frozen ones). */
    public float[][] newGradients() {
        float[][] g = new float[all.size()][];
        for (Param p : all) if (p.trainable) g[p.index] = new float[p.size()];
        return g;
    }
}
