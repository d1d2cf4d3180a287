/**
 * Decoders for the compressed formats the service accepts back (MP3, FLAC, Ogg Opus) into {@link
 * dev.csmserver.audio.Pcm}, and {@link dev.csmserver.audio.decode.AudioDecoders}, which sniffs the
 * container. Imports: JDK, {@code dev.csmserver.audio}, and the kept pure-Java codec libraries
 * (jump3r, jflac, concentus).
 */
package dev.csmserver.audio.decode;
