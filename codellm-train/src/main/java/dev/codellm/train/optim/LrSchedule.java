package dev.codellm.train.optim;

/** Linear warmup to the peak rate, then cosine decay to minLr at totalSteps (Llama 2 recipe). */
public record LrSchedule(double peak, double minLr, int warmupSteps, int totalSteps) {
    /**
     * The warm-up a run gets unless it asks for another: 5 % of its steps, at least one (50 of
     * 1,000), so a short run still reaches its peak rate.
     */
    public static int defaultWarmup(int totalSteps) {
        return Math.max(1, (int) Math.round(totalSteps * 0.05));
    }

    /** Rate for 0-based step. */
    public double at(int step) {
        if (warmupSteps > 0 && step < warmupSteps) return peak * (step + 1) / warmupSteps;
        if (step >= totalSteps) return minLr;
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return minLr + 0.5 * (peak - minLr) * (1 + Math.cos(Math.PI * progress));
    }
}
