package dev.csmserver.queue;

import dev.csmserver.pipeline.ActiveGeneration;
import dev.csmserver.pipeline.FinishReason;

/** A job together with its generation state; worker-thread only. */
record Running(Job job, ActiveGeneration generation) {
    /** Why the job must end now although its generation goes on: cancelled, past its deadline. */
    FinishReason staleReason(long now) {
        return job.cancellation().isCancelled()
                ? FinishReason.CANCELLED
                : job.pastDeadline(now) ? FinishReason.DEADLINE : null;
    }
}
