package dev.csmserver.contexts;

import java.util.List;
import java.util.Optional;

/**
 * Where encoded contexts live. The local-directory store is the embedded default; a shared store
 * (Redis) lets every replica see contexts uploaded through any other. Implementations are
 * thread-safe; a backend that cannot be reached throws {@link ContextStoreUnavailableException}.
 *
 * <p>Ids are create-once: {@link #create} never replaces a context, and of several concurrent
 * creates of one id (on any replica) exactly one succeeds.
 */
public interface ContextStore {
    /** Stores {@code context} under its id; a {@link ContextExistsException} when the id is taken. */
    void create(StoredContext context);

    /** The context, empty when there is none. */
    Optional<StoredContext> get(String id);

    /** Whether {@code id} is taken. */
    boolean exists(String id);

    /** All stored contexts, newest first. */
    List<StoredContext> list();

    /** Removes the context; returns false when there was none. */
    boolean delete(String id);

    /** Whether {@code id} is a built-in, read-only context (see {@link BuiltInContexts}). */
    default boolean isBuiltIn(String id) {
        return false;
    }
}
