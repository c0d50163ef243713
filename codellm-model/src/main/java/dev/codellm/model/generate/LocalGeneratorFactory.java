package dev.codellm.model.generate;

import java.nio.file.Path;

/** Builds a {@link LocalGenerator} from a GGUF file: tokenizer, engine, then the {@link EngineSetup} of the options. */
final class LocalGeneratorFactory {
    private LocalGeneratorFactory() {}

    static LocalGenerator open(Path path, GeneratorOptions options) {
        LoadedModel loaded = LoadedModel.open(path, options);
        try {
            EngineSetup setup = EngineSetup.of(loaded, options);
            KvCachePool caches = setup.newCachePool();
            return new LocalGenerator(setup.planner(), n -> new EngineSequenceRunner(caches), loaded, setup.summary());
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }
}
