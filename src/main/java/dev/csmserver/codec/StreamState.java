package dev.csmserver.codec;

import ai.djl.ndarray.NDManager;
import dev.csmserver.nn.StreamTail;
import java.util.ArrayList;
import java.util.List;

/**
 * The carried state of one decode stream: a tail per causal conv, visited in the same order on
 * every call (a cursor hands them out), plus the decoder transformer's key/value window and
 * position. An offline call uses a fresh one with no owner, which is what makes offline decode and
 * streaming decode the same computation.
 */
final class StreamState {
    private final NDManager owner;
    private final List<StreamTail> tails = new ArrayList<>();
    private final TransformerState transformer;
    private int cursor;

    StreamState(NDManager owner, MimiConfig config) {
        this.owner = owner;
        this.transformer = new TransformerState(owner, config);
    }

    /** The next conv's tail (created empty the first time round). */
    StreamTail nextTail() {
        if (cursor == tails.size()) {
            tails.add(new StreamTail(owner));
        }
        return tails.get(cursor++);
    }

    /** Starts a new call: the first conv gets the first tail again. */
    void rewind() {
        cursor = 0;
    }

    TransformerState transformer() {
        return transformer;
    }
}
