package dev.csmserver.api;

import dev.csmserver.audio.Pcm;
import dev.csmserver.audio.WavWriter;
import dev.csmserver.audio.encode.AudioEncoder;
import dev.csmserver.audio.encode.AudioEncoders;
import dev.csmserver.audio.encode.AudioFormat;
import dev.csmserver.pipeline.AudioChunk;
import dev.csmserver.pipeline.FinishReason;
import dev.csmserver.queue.Job;
import dev.csmserver.queue.JobListener;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * Adapts one job's audio to an HTTP body: each chunk the worker produces becomes one flushed {@code
 * byte[]} of the response (a WAV stream starts with ONE header whose sizes are unknown). With
 * {@code stream=false} the audio is gathered and sent as one complete file. In SSE mode each chunk
 * is an OpenAI {@code speech.audio.delta} event. If the client goes away the job is cancelled, and
 * the worker drops it at the next frame.
 *
 * <p>Nothing is sent before the first audio (the WAV header goes out with it), so a job that ends
 * without audio for a reason that is not the client's can still be a problem+json: its deadline
 * passed while it waited (504), or the service shut down (503). A job cut after audio went out
 * never ends like a complete file: the response is aborted, or in SSE an {@code error} event ends
 * it.
 */
public final class AudioStream implements JobListener {
    private final UnicastProcessor<byte[]> out = UnicastProcessor.create();
    private final AudioFormat format;
    private final int sampleRateHz;
    private final boolean stream;
    private final boolean sse;
    private final AudioEncoder encoder;
    private final BiFunction<FinishReason, int[][], CompletionStage<Void>> onFinish;
    private final ByteArrayOutputStream whole;
    private int samples;

    /** Whether any byte of the body was handed to the client. */
    private boolean started;

    public AudioStream(
            AudioFormat format,
            int sampleRateHz,
            boolean stream,
            boolean sse,
            BiFunction<FinishReason, int[][], CompletionStage<Void>> onFinish) {
        this.format = format;
        this.sampleRateHz = sampleRateHz;
        this.stream = stream || sse;
        this.sse = sse;
        this.encoder = AudioEncoders.create(format, sampleRateHz);
        this.onFinish = onFinish;
        this.whole = this.stream ? null : new ByteArrayOutputStream();
    }

    /** The response body; cancelling it (client disconnect) cancels {@code job}. */
    public Multi<byte[]> body(Job job) {
        return out.onCancellation().invoke(() -> job.cancel("client disconnected"));
    }

    @Override
    public void accept(AudioChunk chunk) {
        samples += chunk.samples().length;
        if (!stream) {
            byte[] pcm = WavWriter.encode(chunk.samples());
            whole.write(pcm, 0, pcm.length);
            return;
        }
        byte[] bytes = encoder.encode(chunk.samples());
        if (!started && !sse) {
            emit(encoder.start()); // one header, sent with the first audio
        }
        if (sse) {
            sseEvent(
                    "{\"type\":\"speech.audio.delta\",\"audio\":\""
                            + Base64.getEncoder().encodeToString(bytes)
                            + "\"}");
        } else {
            emit(bytes);
        }
    }

    @Override
    public void finish(FinishReason reason, int[][] codes) {
        if (reason == FinishReason.DEADLINE || reason == FinishReason.CANCELLED) {
            cut(reason);
            return;
        }
        CompletionStage<Void> saved;
        try {
            saved = onFinish.apply(reason, codes); // runs off this (the inference) thread
        } catch (RuntimeException e) {
            saved = CompletableFuture.failedFuture(e);
        }
        if (stream && !sse) {
            // A streamed file cannot report a failed save after its audio: the save runs on its own
            // (a failure is logged and counted) and the file ends now.
            if (!started) {
                emit(encoder.start()); // no audio at all: still one well-formed (empty) file
            }
            emit(encoder.finish());
            out.onComplete();
            return;
        }
        saved.whenComplete(
                (ok, error) -> {
                    Throwable cause =
                            error instanceof CompletionException && error.getCause() != null
                                    ? error.getCause()
                                    : error;
                    if (!stream) {
                        if (cause != null) {
                            out.onError(
                                    cause); // nothing sent yet: the problem instead of the audio
                            return;
                        }
                        emit(complete());
                    } else if (cause != null) {
                        sseError(
                                cause instanceof ApiException a
                                        ? a
                                        : new ApiException(
                                                ProblemType.INTERNAL,
                                                "the turn could not be saved"));
                    } else {
                        sseEvent(
                                "{\"type\":\"speech.audio.done\",\"usage\":{\"output_audio_seconds\":"
                                        + samples / (double) sampleRateHz
                                        + "}}");
                    }
                    out.onComplete();
                });
    }

    /**
     * The job failed (a server error, JVM errors included): before any byte the error becomes a
     * problem+json (500 for an internal one); after audio went out the body is aborted, or an SSE
     * stream ends with an {@code error} event.
     */
    @Override
    public void failed(Throwable error) {
        if (started && sse) {
            sseError(
                    error instanceof ApiException a
                            ? a
                            : new ApiException(
                                    ProblemType.INTERNAL,
                                    "the audio could not be completed; see the server log"));
            out.onComplete();
            return;
        }
        out.onError(error);
    }

    private void sseError(ApiException problem) {
        sseEvent(
                "{\"type\":\"error\",\"error\":{\"type\":\""
                        + problem.type().uri()
                        + "\",\"message\":\""
                        + problem.getMessage().replace("\"", "'")
                        + "\"}}");
    }

    /**
     * A job ended before its audio was complete: past its deadline, or cancelled (the client went
     * away, which nobody hears any more, or the service is shutting down). Before any byte it is a
     * problem+json; after, SSE ends with an {@code error} event and any other body is aborted.
     */
    private void cut(FinishReason reason) {
        ApiException problem =
                reason == FinishReason.DEADLINE
                        ? new ApiException(
                                ProblemType.DEADLINE_EXCEEDED,
                                started
                                        ? "the request's deadline passed while its audio was generated; the audio is incomplete"
                                        : "the request's deadline passed before its audio was generated")
                        : new ApiException(
                                ProblemType.UNAVAILABLE,
                                "the request was stopped before its audio was complete "
                                        + "(the service is shutting down)");
        if (started && sse) {
            sseError(problem);
            out.onComplete();
        } else {
            out.onError(problem);
        }
    }

    private byte[] complete() {
        byte[] pcm16 = whole.toByteArray();
        if (format == AudioFormat.PCM) {
            return pcm16;
        }
        float[] all = new float[pcm16.length / 2];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) ((pcm16[2 * i] & 0xff) | (pcm16[2 * i + 1] << 8)) / 32768f;
        }
        if (format == AudioFormat.WAV) {
            return WavWriter.write(new Pcm(all, sampleRateHz));
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(encoder.start());
        b.writeBytes(encoder.encode(all));
        b.writeBytes(encoder.finish());
        return b.toByteArray();
    }

    private void sseEvent(String json) {
        emit(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private void emit(byte[] bytes) {
        if (bytes.length > 0) {
            started = true;
            out.onNext(bytes);
        }
    }
}
