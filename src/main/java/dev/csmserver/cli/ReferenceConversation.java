package dev.csmserver.cli;

import java.util.List;

/**
 * The conversation of the reference's {@code run_csm.py}: two prompt transcripts (for {@code
 * prompts/conversational_a.wav} and {@code conversational_b.wav} of {@code sesame/csm-1b}) and
 * four alternating turns, each generated with every earlier segment as context.
 */
final class ReferenceConversation {
    /** One turn to generate. */
    record Turn(int speaker, String text) {}

    static final String PROMPT_A = "like revising for an exam I'd have to try and like keep up the momentum because I'd "
            + "start really early I'd be like okay I'm gonna start revising now and then like "
            + "you're revising for ages and then I just like start losing steam I didn't do that "
            + "for the exam we had recently to be fair that was a more of a last minute scenario "
            + "but like yeah I'm trying to like yeah I noticed this yesterday that like Mondays I "
            + "sort of start the day with this not like a panic but like a";

    static final String PROMPT_B = "like a super Mario level. Like it's very like high detail. And like, once you get "
            + "into the park, it just like, everything looks like a computer game and they have all "
            + "these, like, you know, if, if there's like a, you know, like in a Mario game, they "
            + "will have like a question block. And if you like, you know, punch it, a coin will "
            + "come out. So like everyone, when they come into the park, they get like this little "
            + "bracelet and then you can go punching question blocks around.";

    static final List<Turn> TURNS = List.of(
            new Turn(0, "Hey how are you doing?"),
            new Turn(1, "Pretty good, pretty good. How about you?"),
            new Turn(0, "I'm great! So happy to be speaking with you today."),
            new Turn(1, "Me too! This is some cool stuff, isn't it?"));

    private ReferenceConversation() {}
}
