package dev.csmserver.pipeline;

import java.util.List;

/**
 * The voice prompts published in {@code sesame/csm-1b} ({@code prompts/conversational_a.wav} and
 * {@code conversational_b.wav}) with the speakers and transcripts the reference {@code run_csm.py}
 * gives them. A model folder that has these files offers them as built-in contexts under their ids
 * (see {@link BuiltInVoice}); the CLI's conversation uses them as its prompts.
 */
public final class PublishedVoices {
    /**
     * One published prompt: its context id, speaker, transcript and path inside the model folder.
     */
    public record Voice(String id, int speaker, String text, String file) {}

    public static final Voice CONVERSATIONAL_A =
            new Voice(
                    "conversational_a",
                    0,
                    "like revising for an exam I'd have to try and like keep up the momentum because I'd "
                            + "start really early I'd be like okay I'm gonna start revising now and then like "
                            + "you're revising for ages and then I just like start losing steam I didn't do that "
                            + "for the exam we had recently to be fair that was a more of a last minute scenario "
                            + "but like yeah I'm trying to like yeah I noticed this yesterday that like Mondays I "
                            + "sort of start the day with this not like a panic but like a",
                    "prompts/conversational_a.wav");

    public static final Voice CONVERSATIONAL_B =
            new Voice(
                    "conversational_b",
                    1,
                    "like a super Mario level. Like it's very like high detail. And like, once you get "
                            + "into the park, it just like, everything looks like a computer game and they have all "
                            + "these, like, you know, if, if there's like a, you know, like in a Mario game, they "
                            + "will have like a question block. And if you like, you know, punch it, a coin will "
                            + "come out. So like everyone, when they come into the park, they get like this little "
                            + "bracelet and then you can go punching question blocks around.",
                    "prompts/conversational_b.wav");

    /** Every published voice, in the order the reference conversation uses them. */
    public static final List<Voice> ALL = List.of(CONVERSATIONAL_A, CONVERSATIONAL_B);

    private PublishedVoices() {}
}
