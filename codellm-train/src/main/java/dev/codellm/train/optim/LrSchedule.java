package dev.codellm.train.optim;

/** Linear warmup to the peak rate, then cosine decay to minLr at totalSteps (Llama 2 recipe). */
public record LrSchedule(double peak, double minLr, int warmupSteps, int totalSteps) {
    /** Rate for 0-based step. */
    public double at(int step) {
        if (warmupSteps > 0 && step < warmupSteps) return peak * (step + 1) / warmupSteps;
        if (step >= totalSteps) return minLr;
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return minLr + 0.5 * (peak - minLr) * (1 + Math.cos(Math.PI * progress));
    }
}
