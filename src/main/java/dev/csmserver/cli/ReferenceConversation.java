package dev.csmserver.cli;

import java.util.List;

/**
 * The conversation of the reference's {@code run_csm.py}: four alternating turns, each generated
 * with the two published voice prompts ({@link dev.csmserver.pipeline.PublishedVoices}) and every
 * earlier turn as context.
 */
final class ReferenceConversation {
    /** One turn to generate. */
    record Turn(int speaker, String text) {}

    static final List<Turn> TURNS =
            List.of(
                    new Turn(0, "Hey how are you doing?"),
                    new Turn(1, "Pretty good, pretty good. How about you?"),
                    new Turn(0, "I'm great! So happy to be speaking with you today."),
                    new Turn(1, "Me too! This is some cool stuff, isn't it?"));

    private ReferenceConversation() {}
}
