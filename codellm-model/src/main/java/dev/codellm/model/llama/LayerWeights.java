package dev.codellm.model.llama;

import dev.codellm.model.kernels.WeightMatrix;

/** One transformer block's weights: norms decoded to floats, matrices left in the mapped file. */
record LayerWeights(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                    float[] ffnNorm, WeightMatrix gate, WeightMatrix down, WeightMatrix up) {

    WeightMatrix[] matrices() { return new WeightMatrix[] {wq, wk, wv, wo, gate, down, up}; }

    long matrixBytes() {
        return wq.byteSize() + wk.byteSize() + wv.byteSize() + wo.byteSize() + gate.byteSize() + down.byteSize() + up.byteSize();
    }
}
