package dev.csmserver.contexts;

import dev.csmserver.pipeline.BuiltInVoice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The context store the service uses: the loaded model's built-in voices (its published prompts,
 * e.g. {@code conversational_a}), read-only and held in memory, in front of the configured store
 * (file or Redis) for everything uploaded or saved. A built-in id is never passed to the store:
 * storing or deleting it is a {@link ReadOnlyContextException}. The voices appear once the model is
 * loaded ({@link #publish}); until then the store alone answers.
 */
public final class BuiltInContexts implements ContextStore {
    private final ContextStore store;
    private volatile Map<String, StoredContext> builtIns = Map.of();

    public BuiltInContexts(ContextStore store) {
        this.store = store;
    }

    /** Makes {@code voices} (encoded once by the pipeline) the built-in contexts. */
    public void publish(List<BuiltInVoice> voices, double frameMs) {
        Instant now = Instant.now();
        builtIns =
                voices.stream()
                        .map(
                                v ->
                                        new StoredContext(
                                                v.id(),
                                                v.segment().speaker(),
                                                v.segment().text(),
                                                v.segment().codes(),
                                                v.segment().numFrames() * frameMs / 1000.0,
                                                now))
                        .collect(
                                Collectors.toUnmodifiableMap(
                                        StoredContext::id, Function.identity()));
    }

    /** Whether {@code id} names a built-in (read-only) context. */
    @Override
    public boolean isBuiltIn(String id) {
        return id != null && builtIns.containsKey(id);
    }

    @Override
    public void create(StoredContext context) {
        requireWritable(context.id());
        store.create(context);
    }

    @Override
    public boolean exists(String id) {
        return isBuiltIn(id) || store.exists(id);
    }

    @Override
    public Optional<StoredContext> get(String id) {
        StoredContext c = builtIns.get(id);
        return c != null ? Optional.of(c) : store.get(id);
    }

    /** The built-in voices (by id), then the stored contexts, newest first. */
    @Override
    public List<StoredContext> list() {
        List<StoredContext> out = new ArrayList<>(builtIns.values());
        out.sort((a, b) -> a.id().compareTo(b.id()));
        for (StoredContext c : store.list()) {
            if (!builtIns.containsKey(c.id())) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public boolean delete(String id) {
        requireWritable(id);
        return store.delete(id);
    }

    private void requireWritable(String id) {
        if (isBuiltIn(id)) {
            throw new ReadOnlyContextException(id);
        }
    }
}
