package dev.csmserver.audio.decode;

import de.sciss.jump3r.mp3.MP3Data;
import de.sciss.jump3r.mp3.VBRTag;
import de.sciss.jump3r.mpg.Common;
import de.sciss.jump3r.mpg.Interface;
import de.sciss.jump3r.mpg.MPGLib;
import dev.csmserver.audio.AudioFormatException;
import dev.csmserver.audio.Pcm;
import java.util.Arrays;

/**
 * MP3 to PCM through jump3r's mpglib (the decoder inside LAME), from bytes in memory. Stereo is
 * mixed to mono. The codec's delay (encoder plus decoder, about 1 100 samples) is kept, as most
 * players do without a LAME tag; the watermark detector searches every lag anyway.
 */
public final class Mp3Decoder {
    private static final int MAX_FRAME_SAMPLES = 1152;

    private Mp3Decoder() {}

    /** Decodes a whole MP3 stream; corrupt input gives an {@link AudioFormatException}. */
    public static Pcm decode(byte[] mp3) {
        try {
            return decodeFrames(mp3);
        } catch (RuntimeException e) {
            if (e instanceof AudioFormatException) {
                throw e;
            }
            throw new AudioFormatException("corrupt MP3 stream: " + e);
        }
    }

    private static Pcm decodeFrames(byte[] mp3) {
        MPGLib mpg = new MPGLib();
        Interface intf = new Interface();
        Common common = new Common();
        mpg.setModules(intf, common);
        intf.setModules(new VBRTag(), common);
        MPGLib.mpstr_tag stream = mpg.hip_decode_init();
        MP3Data info = new MP3Data();
        short[] left = new short[MAX_FRAME_SAMPLES * 2];
        short[] right = new short[MAX_FRAME_SAMPLES * 2];
        float[] out = new float[Math.max(MAX_FRAME_SAMPLES, mp3.length * 4)];
        int total = 0;
        int idle = 0;
        int n = mpg.hip_decode1_headers(stream, mp3, mp3.length, left, right, info);
        // After the first call (which buffers everything) each call with no new bytes yields
        // one frame; 0 also answers header-only frames (the LAME/Xing tag), so stop after a few.
        while (n >= 0 && idle < 3) {
            if (n == 0) {
                idle++;
            } else {
                idle = 0;
                if (total + n > out.length) {
                    out = Arrays.copyOf(out, Math.max(out.length * 2, total + n));
                }
                boolean stereo = info.stereo == 2;
                for (int i = 0; i < n; i++) {
                    out[total++] = (stereo ? (left[i] + right[i]) / 2f : left[i]) / 32768f;
                }
            }
            n = mpg.hip_decode1_headers(stream, mp3, 0, left, right, info);
        }
        if (n < 0 && total == 0) {
            throw new AudioFormatException("not a decodable MP3 stream");
        }
        if (!info.header_parsed || info.samplerate <= 0 || total == 0) {
            throw new AudioFormatException("MP3 stream holds no audio frames");
        }
        return new Pcm(Arrays.copyOf(out, total), info.samplerate);
    }
}
