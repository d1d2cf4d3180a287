package dev.csmserver.contexts;

import java.util.List;
import java.util.Optional;

/**
 * Where encoded contexts live. The local-directory store is the embedded default; a shared store
 * (Redis) lets every replica see contexts uploaded through any other. Implementations are
 * thread-safe; a backend that cannot be reached throws {@link ContextStoreUnavailableException}.
 *
 * <p>Ids are create-once: {@link #create} never replaces a context, and of several concurrent
 * creates of one id (on any replica) exactly one succeeds. An entry that cannot be read back (a
 * truncated or foreign file, a damaged Redis value) is skipped by {@link #list} and is a {@link
 * CorruptContextException} from {@link #get}; it still {@link #exists} and can be deleted.
 */
public interface ContextStore {
    /**
     * Stores {@code context} under its id; a {@link ContextExistsException} when the id is taken.
     */
    void create(StoredContext context);

    /**
     * The context, empty when there is none; a {@link CorruptContextException} when it cannot be
     * read.
     */
    Optional<StoredContext> get(String id);

    /** Whether {@code id} is taken, readable or not. */
    boolean exists(String id);

    /** All readable stored contexts, newest first; unreadable entries are skipped. */
    List<StoredContext> list();

    /** Removes the context (readable or not); returns false when there was none. */
    boolean delete(String id);

    /** Whether {@code id} is a built-in, read-only context (see {@link BuiltInContexts}). */
    default boolean isBuiltIn(String id) {
        return false;
    }
}
